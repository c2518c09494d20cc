package io.sparkkeras.metrics;

import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * How often the one-hot target's class is among the {@code k} highest predictions. Keras's
 * {@code TopKCategoricalAccuracy}, id {@code "top_k_categorical_accuracy"}.
 *
 * <pre>{@code
 * Metric m = new TopKCategoricalAccuracy(1);
 * m.updateState(oneHotLabels, scores, null);   // labels [[0,0,1],[0,1,0]], scores [[.1,.9,.8],[.05,.95,0]]
 * m.result();   // 0.5
 * }</pre>
 */
public final class TopKCategoricalAccuracy extends MeanMetricWrapper {
    private final int k;

    /** Keras's default {@code k=5}. */
    public TopKCategoricalAccuracy() {
        this(5);
    }

    /** @param k number of top predictions to look at. Defaults to {@code 5}. */
    public TopKCategoricalAccuracy(int k) {
        this(k, "top_k_categorical_accuracy");
    }

    public TopKCategoricalAccuracy(int k, String name) {
        super(name, fn(checkK(k)));
        this.k = k;
    }

    private static java.util.function.BinaryOperator<Tensor> fn(int k) {
        return (t, p) -> matches(t, p, k);
    }

    static int checkK(int k) {
        if (k <= 0) {
            throw new IllegalArgumentException("Received an invalid value for `k`, expected a positive integer. "
                    + "Received: k=" + k);
        }
        return k;
    }

    private static Tensor matches(Tensor yTrue, Tensor yPred, int k) {
        Tensor target = Ops.argmax(yTrue, -1);
        if (target.shape().rank() > 1) {
            target = Ops.reshape(target, -1);
        }
        return TopK.inTopK(target, TopK.flattenScores(yPred), k);
    }

    @Override
    public String direction() {
        return "up";
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("k", k));
    }

    public static TopKCategoricalAccuracy fromConfig(Map<String, Object> config) {
        return new TopKCategoricalAccuracy(Configs.getInt(config, "k", 5),
                Configs.getString(config, "name", "top_k_categorical_accuracy"));
    }
}
