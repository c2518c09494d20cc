package io.sparkkeras.metrics;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * How often {@code y_pred > threshold} matches the binary label, averaged over the last axis. Keras's
 * {@code BinaryAccuracy}, id {@code "binary_accuracy"}.
 *
 * <pre>{@code
 * Metric m = new BinaryAccuracy(0.5);
 * }</pre>
 */
public final class BinaryAccuracy extends MeanMetricWrapper {
    private final double threshold;

    public BinaryAccuracy() {
        this("binary_accuracy", 0.5);
    }

    /** @param threshold decision threshold. Defaults to {@code 0.5}. */
    public BinaryAccuracy(double threshold) {
        this("binary_accuracy", threshold);
    }

    public BinaryAccuracy(String name, double threshold) {
        super(name, (t, p) -> matches(t, p, threshold));
        this.threshold = threshold;
    }

    private static Tensor matches(Tensor yTrue, Tensor yPred, double threshold) {
        Tensor pred = Ops.cast(Ops.greater(yPred, threshold), DType.FLOAT32);
        Tensor t = Ops.cast(yTrue, DType.FLOAT32);
        if (t.shape().rank() < pred.shape().rank()) {
            t = Ops.expandDims(t, -1);
        }
        return Ops.mean(Ops.cast(Ops.equal(t, pred), DType.FLOAT32), -1);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("threshold", threshold));
    }

    @Override
    public String direction() {
        return "up";
    }
}
