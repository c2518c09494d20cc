/**
 * Keras's stateful metrics: state in variables updated per batch with {@code Ops}, results read on the host.
 */
package io.sparkkeras.metrics;
