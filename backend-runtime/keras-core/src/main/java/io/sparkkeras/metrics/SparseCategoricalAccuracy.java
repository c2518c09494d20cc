package io.sparkkeras.metrics;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;

/**
 * How often the integer label equals the arg-max of the predictions. Keras's {@code SparseCategoricalAccuracy},
 * id {@code "sparse_categorical_accuracy"}.
 *
 * <pre>{@code
 * model.compile(new Adam(1e-3), "sparse_categorical_crossentropy", List.of(new SparseCategoricalAccuracy()));
 * }</pre>
 */
public final class SparseCategoricalAccuracy extends MeanMetricWrapper {
    public SparseCategoricalAccuracy() {
        this("sparse_categorical_accuracy");
    }

    public SparseCategoricalAccuracy(String name) {
        super(name, SparseCategoricalAccuracy::matches);
    }

    static Tensor matches(Tensor yTrue, Tensor yPred) {
        Tensor t = yTrue.shape().rank() == yPred.shape().rank() ? Ops.squeeze(yTrue, -1) : yTrue;
        Tensor pred = Ops.argmax(yPred, -1);
        return Ops.cast(Ops.equal(Ops.cast(t, DType.INT64), pred), DType.FLOAT32);
    }

    @Override
    public String direction() {
        return "up";
    }
}
