package io.sparkkeras.metrics;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * The body of {@link Precision} and {@link Recall}: {@code true_positives / (true_positives + other)} per threshold,
 * where {@code other} is the false positives (precision) or the false negatives (recall).
 */
abstract class ThresholdRatio extends Metric {
    private final Object initThresholds;
    private final Integer topK;
    private final Integer classId;
    private final float[] thresholds;
    private final boolean falsePositives;
    private final Variable truePositives;
    private final Variable other;

    /** @param falsePositives count false positives (precision), else false negatives (recall) */
    ThresholdRatio(ThresholdArgs<?> b, boolean falsePositives) {
        super(b.name);
        this.thresholds = b.parsed();
        this.initThresholds = b.thresholds;
        this.topK = b.topK;
        this.classId = b.classId;
        this.falsePositives = falsePositives;
        this.truePositives = addVariable("true_positives", Shape.of(thresholds.length));
        this.other = addVariable(falsePositives ? "false_positives" : "false_negatives", Shape.of(thresholds.length));
    }

    @Override
    public final void updateState(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        ConfusionMatrices.update(truePositives, falsePositives ? other : null, null, falsePositives ? null : other,
                yTrue, yPred, sampleWeight, thresholds, topK, classId, false);
    }

    /** The value at the first threshold. */
    @Override
    public final double result() {
        return results()[0];
    }

    /** The value at each threshold. */
    public final double[] results() {
        double[] tp = ConfusionMatrices.host(truePositives);
        double[] o = ConfusionMatrices.host(other);
        double[] r = new double[tp.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = ConfusionMatrices.divideNoNan(tp[i], tp[i] + o[i]);
        }
        return r;
    }

    @Override
    public final String direction() {
        return "up";
    }

    @Override
    public final Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("thresholds", initThresholds, "top_k", topK,
                "class_id", classId));
    }
}
