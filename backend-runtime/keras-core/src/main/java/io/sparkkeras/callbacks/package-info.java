/**
 * Keras's callbacks: hooks into {@code fit}, {@code evaluate} and {@code predict}, the progress bar and {@link io.sparkkeras.callbacks.History}.
 */
package io.sparkkeras.callbacks;
