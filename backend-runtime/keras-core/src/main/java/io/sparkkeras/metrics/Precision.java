package io.sparkkeras.metrics;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * How often the predictions marked positive are positive: {@code true_positives / (true_positives + false_positives)}, a prediction counting as positive when it is above the threshold.
 * Keras's {@code Precision}, id {@code "precision"}. With {@code top_k}, only the k highest predictions of each row count as
 * positive; with {@code class_id}, only that class is considered. Counts are kept per threshold in variables;
 * {@link #result()} gives the first threshold's value and {@link #results()} all of them.
 *
 * <pre>{@code
 * Precision m = new Precision();
 * m.updateState(labels, predictions, null);   // labels [0, 1, 1, 1], predictions [1, 0, 1, 1]
 * m.result();   // 2 / 3
 * }</pre>
 */
public final class Precision extends Metric {
    private final Object initThresholds;
    private final Integer topK;
    private final Integer classId;
    private final float[] thresholds;
    private final Variable truePositives;
    private final Variable falsePositives;

    /** Threshold 0.5. */
    public Precision() {
        this(builder());
    }

    /** @param threshold a prediction above it counts as positive. Defaults to {@code 0.5}. */
    public Precision(double threshold) {
        this(builder().thresholds(threshold));
    }

    private Precision(Builder b) {
        super(b.name);
        this.thresholds = b.parsed();
        this.initThresholds = b.thresholds;
        this.topK = b.topK;
        this.classId = b.classId;
        this.truePositives = addVariable("true_positives", Shape.of(thresholds.length));
        this.falsePositives = addVariable("false_positives", Shape.of(thresholds.length));
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void updateState(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        ConfusionMatrices.update(truePositives, falsePositives, null, null, yTrue, yPred, sampleWeight,
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
        double[] other = ConfusionMatrices.host(falsePositives);
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

    public static Precision fromConfig(Map<String, Object> config) {
        return builder().config(config).build();
    }

    /** Keras's Precision arguments. */
    public static final class Builder extends ThresholdArgs<Builder> {
        private Builder() {
            super("precision");
        }

        public Precision build() {
            return new Precision(this);
        }
    }
}
