/**
 * Keras's activation functions by id, with Keras's defaults.
 */
package io.sparkkeras.activations;
