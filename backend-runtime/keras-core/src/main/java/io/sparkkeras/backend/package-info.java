/**
 * The Backend SPI: what an engine implements to run Keras (tensors, variables, scopes, gradients, compiled steps, numpy/nn/random ops), and {@link io.sparkkeras.backend.Backends}, which selects one as Keras 3 does. Nothing here imports an engine.
 */
package io.sparkkeras.backend;
