package io.sparkkeras.metrics;

import io.sparkkeras.backend.Tensor;

import java.util.function.BinaryOperator;

/**
 * A {@link Mean} of a per-sample function of {@code (y_true, y_pred)}: how Keras builds its accuracy metrics.
 */
public class MeanMetricWrapper extends Mean {
    private final BinaryOperator<Tensor> fn;

    public MeanMetricWrapper(String name, BinaryOperator<Tensor> fn) {
        super(name);
        this.fn = fn;
    }

    @Override
    public final void updateState(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        update(fn.apply(yTrue, yPred), sampleWeight);
    }
}
