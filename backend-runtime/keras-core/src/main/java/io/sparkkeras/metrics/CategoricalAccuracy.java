package io.sparkkeras.metrics;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;

/**
 * How often the arg-max of one-hot labels equals the arg-max of the predictions. Keras's
 * {@code CategoricalAccuracy}, id {@code "categorical_accuracy"}.
 *
 * <pre>{@code
 * Metric m = new CategoricalAccuracy();
 * }</pre>
 */
public final class CategoricalAccuracy extends MeanMetricWrapper {
    public CategoricalAccuracy() {
        this("categorical_accuracy");
    }

    public CategoricalAccuracy(String name) {
        super(name, (t, p) -> Ops.cast(Ops.equal(Ops.argmax(t, -1), Ops.argmax(p, -1)), DType.FLOAT32));
    }

    @Override
    public String direction() {
        return "up";
    }
}
