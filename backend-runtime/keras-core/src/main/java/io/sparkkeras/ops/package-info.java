/**
 * Keras's {@code keras.ops}: {@link io.sparkkeras.ops.Ops} (numpy-like) and {@link io.sparkkeras.ops.Nn} (neural-network ops), the only API layers, losses, metrics and optimizers are written against.
 */
package io.sparkkeras.ops;
