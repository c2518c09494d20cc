package io.sparkkeras.metrics;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * How many of the positive labels the predictions find: {@code true_positives / (true_positives + false_negatives)}, a prediction counting as positive when it is above the threshold.
 * Keras's {@code Recall}, id {@code "recall"}. With {@code top_k}, only the k highest predictions of each row count as
 * positive; with {@code class_id}, only that class is considered. Counts are kept per threshold in variables;
 * {@link #result()} gives the first threshold's value and {@link #results()} all of them.
 *
 * <pre>{@code
 * Recall m = new Recall();
 * m.updateState(labels, predictions, null);   // labels [0, 1, 1, 1], predictions [1, 0, 1, 1]
 * m.result();   // 2 / 3
 * }</pre>
 */
public final class Recall extends Metric {
    private final Object initThresholds;
    private final Integer topK;
    private final Integer classId;
    private final float[] thresholds;
    private final Variable truePositives;
    private final Variable falseNegatives;

    /** Threshold 0.5. */
    public Recall() {
        this(builder());
    }

    /** @param threshold a prediction above it counts as positive. Defaults to {@code 0.5}. */
    public Recall(double threshold) {
        this(builder().thresholds(threshold));
    }

    private Recall(Builder b) {
        super(b.name);
        this.thresholds = b.parsed();
        this.initThresholds = b.thresholds;
        this.topK = b.topK;
        this.classId = b.classId;
        this.truePositives = addVariable("true_positives", Shape.of(thresholds.length));
        this.falseNegatives = addVariable("false_negatives", Shape.of(thresholds.length));
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void updateState(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        ConfusionMatrices.update(truePositives, null, null, falseNegatives, yTrue, yPred, sampleWeight,
                thresholds, topK, classId, false);
    }

    /** The value at the first threshold. */
    @Override
    public double result() {
        return results()[0];
    }

    /** The value at each threshold. */
    public double[] results() {
        double[] tp = ConfusionMatrices.host(truePositives);
        double[] other = ConfusionMatrices.host(falseNegatives);
        double[] r = new double[tp.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = ConfusionMatrices.divideNoNan(tp[i], tp[i] + other[i]);
        }
        return r;
    }

    @Override
    public String direction() {
        return "up";
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("thresholds", initThresholds, "top_k", topK,
                "class_id", classId));
    }

    public static Recall fromConfig(Map<String, Object> config) {
        return builder().config(config).build();
    }

    /** Keras's Recall arguments. */
    public static final class Builder extends ThresholdArgs<Builder> {
        private Builder() {
            super("recall");
        }

        public Recall build() {
            return new Recall(this);
        }
    }
}
