package io.sparkkeras.activations;

import io.sparkkeras.backend.Tensor;

/** An activation: a named element-wise (or, for softmax, last-axis) function. */
public interface ActivationFunction {
    Tensor apply(Tensor x);

    /** The Keras id, written in configs ({@code "relu"}). */
    String name();
}
