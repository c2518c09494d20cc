/**
 * Keras's initializers, drawn on the host from a seeded generator so every backend starts from the same weights.
 */
package io.sparkkeras.initializers;
