/**
 * Keras's losses: per-sample math in {@code call}, Keras's reductions and sample weights in {@link io.sparkkeras.losses.Loss#apply}.
 */
package io.sparkkeras.losses;
