/**
 * Keras's optimizers: slots created in {@code build}, the math in {@code updateStep}; clipping, weight decay and learning-rate schedules in the base class.
 */
package io.sparkkeras.optimizers;
