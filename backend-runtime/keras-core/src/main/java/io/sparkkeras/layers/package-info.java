/**
 * Keras's layers: one class per layer, each a constructor that validates, {@code build}, {@code call} against {@code Ops}, {@code computeOutputShape} and {@code getConfig}/{@code fromConfig}. Names, config keys and defaults are Keras 3's.
 */
package io.sparkkeras.layers;
