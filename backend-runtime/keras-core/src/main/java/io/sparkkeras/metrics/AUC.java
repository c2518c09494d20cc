package io.sparkkeras.metrics;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.utils.Configs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The area under the ROC or precision-recall curve, by a Riemann sum over {@code num_thresholds} thresholds.
 * Keras's {@code AUC}, id {@code "auc"}: true/false positive/negative counts are kept per threshold in variables,
 * thresholds are {@code i / (num_thresholds - 1)} for the inner points plus {@code -epsilon} and
 * {@code 1 + epsilon} ({@code epsilon = 1e-7}) at the ends, and {@code summation_method="interpolation"} uses
 * trapezoids for ROC and Davis and Goadrich's interpolation for PR.
 *
 * <pre>{@code
 * AUC auc = AUC.builder().numThresholds(3).build();
 * auc.updateState(labels, scores, null);   // labels [0, 0, 1, 1], scores [0, 0.5, 0.3, 0.9]
 * auc.result();   // 0.75
 * }</pre>
 *
 * <p>Single-label only ({@code multi_label=False}); {@code label_weights} is not supported.
 */
public final class AUC extends Metric {
    private static final double EPSILON = 1e-7;
    private static final List<String> CURVES = List.of("ROC", "PR", "PRGAIN");
    private static final List<String> SUMMATIONS = List.of("interpolation", "minoring", "majoring");

    private final int numThresholds;
    private final String curve;
    private final String summationMethod;
    private final boolean fromLogits;
    private final List<Double> initThresholds;
    private final float[] thresholds;
    private final Variable truePositives;
    private final Variable falsePositives;
    private final Variable trueNegatives;
    private final Variable falseNegatives;

    /** Keras's defaults: 200 thresholds, ROC, interpolation. */
    public AUC() {
        this(builder());
    }

    private AUC(Builder b) {
        super(b.name);
        String c = b.curve.toUpperCase(Locale.ROOT);
        if (!CURVES.contains(c)) {
            throw new IllegalArgumentException("Invalid AUC curve value: \"" + b.curve + "\". Expected values are "
                    + "[\"PR\", \"ROC\", \"PRGAIN\"]. Received: curve=" + b.curve);
        }
        String s = b.summationMethod.toLowerCase(Locale.ROOT);
        if (!SUMMATIONS.contains(s)) {
            throw new IllegalArgumentException("Invalid AUC summation method value: \"" + b.summationMethod
                    + "\". Expected values are [\"interpolation\", \"majoring\", \"minoring\"]. Received: "
                    + "summation_method=" + b.summationMethod);
        }
        double[] inner;
        if (b.thresholds != null) {
            inner = b.thresholds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            for (double t : inner) {
                if (!(t >= 0 && t <= 1)) {
                    throw new IllegalArgumentException("Threshold values must be in [0, 1]. Received: thresholds="
                            + b.thresholds);
                }
            }
            this.numThresholds = inner.length + 2;
        } else {
            if (b.numThresholds <= 1) {
                throw new IllegalArgumentException("Argument `num_thresholds` must be an integer > 1. Received: "
                        + "num_thresholds=" + b.numThresholds);
            }
            this.numThresholds = b.numThresholds;
            inner = new double[numThresholds - 2];
            for (int i = 0; i < inner.length; i++) {
                inner[i] = (i + 1) * 1.0 / (numThresholds - 1);
            }
        }
        this.thresholds = new float[numThresholds];
        thresholds[0] = (float) (0.0 - EPSILON);
        for (int i = 0; i < inner.length; i++) {
            thresholds[i + 1] = (float) inner[i];
        }
        thresholds[numThresholds - 1] = (float) (1.0 + EPSILON);
        this.curve = c;
        this.summationMethod = s;
        this.fromLogits = b.fromLogits;
        this.initThresholds = b.thresholds == null ? null : List.copyOf(b.thresholds);
        Shape shape = Shape.of(numThresholds);
        this.truePositives = addVariable("true_positives", shape);
        this.falsePositives = addVariable("false_positives", shape);
        this.trueNegatives = addVariable("true_negatives", shape);
        this.falseNegatives = addVariable("false_negatives", shape);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The thresholds, endpoints included. */
    public double[] thresholds() {
        double[] r = new double[thresholds.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = thresholds[i];
        }
        return r;
    }

    @Override
    public void updateState(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        ConfusionMatrices.update(truePositives, falsePositives, trueNegatives, falseNegatives, yTrue, yPred,
                sampleWeight, thresholds, null, null, fromLogits);
    }

    @Override
    public double result() {
        double[] tp = ConfusionMatrices.host(truePositives);
        double[] fp = ConfusionMatrices.host(falsePositives);
        double[] tn = ConfusionMatrices.host(trueNegatives);
        double[] fn = ConfusionMatrices.host(falseNegatives);
        if ("PR".equals(curve) && "interpolation".equals(summationMethod)) {
            return interpolatePrAuc(tp, fp, fn);
        }
        int n = numThresholds;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double recall = ConfusionMatrices.divideNoNan(tp[i], tp[i] + fn[i]);
            switch (curve) {
                case "ROC" -> {
                    x[i] = ConfusionMatrices.divideNoNan(fp[i], fp[i] + tn[i]);
                    y[i] = recall;
                }
                case "PR" -> {
                    x[i] = recall;
                    y[i] = ConfusionMatrices.divideNoNan(tp[i], tp[i] + fp[i]);
                }
                default -> {
                    double scaling = ConfusionMatrices.divideNoNan(tp[i] + fn[i], tn[i] + fp[i]);
                    double recallGain = tp[i] == 0 ? 0 : 1.0 - scaling * ConfusionMatrices.divideNoNan(fn[i], tp[i]);
                    double precisionGain = tp[i] == 0 ? 1
                            : 1.0 - scaling * ConfusionMatrices.divideNoNan(fp[i], tp[i]);
                    x[i] = Math.max(recallGain, 0);
                    y[i] = precisionGain;
                }
            }
        }
        double sum = 0;
        for (int i = 0; i < n - 1; i++) {
            double height = switch (summationMethod) {
                case "interpolation" -> (y[i] + y[i + 1]) / 2.0;
                case "minoring" -> Math.min(y[i], y[i + 1]);
                default -> Math.max(y[i], y[i + 1]);
            };
            sum += (x[i] - x[i + 1]) * height;
        }
        return sum;
    }

    /** Keras's {@code interpolate_pr_auc} (Davis and Goadrich 2006, section 4, in closed form). */
    private double interpolatePrAuc(double[] tp, double[] fp, double[] fn) {
        double sum = 0;
        for (int i = 0; i < numThresholds - 1; i++) {
            double dtp = tp[i] - tp[i + 1];
            double pA = tp[i] + fp[i];
            double pB = tp[i + 1] + fp[i + 1];
            double dp = pA - pB;
            double slope = ConfusionMatrices.divideNoNan(dtp, Math.max(dp, 0));
            double intercept = tp[i + 1] - slope * pB;
            double safeRatio = pA > 0 && pB > 0 ? ConfusionMatrices.divideNoNan(pA, Math.max(pB, 0)) : 1;
            sum += ConfusionMatrices.divideNoNan(slope * (dtp + intercept * Math.log(safeRatio)),
                    Math.max(tp[i + 1] + fn[i + 1], 0));
        }
        return sum;
    }

    @Override
    public String direction() {
        return "up";
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = Configs.merge(super.getConfig(), Configs.of(
                "num_thresholds", numThresholds,
                "curve", curve,
                "summation_method", summationMethod,
                "multi_label", false,
                "num_labels", null,
                "label_weights", null,
                "from_logits", fromLogits));
        if (initThresholds != null) {
            // Keras writes thresholds[1:-1]: the sorted inner thresholds, without the epsilon endpoints.
            List<Double> inner = new ArrayList<>();
            for (double t : initThresholdsSorted()) {
                inner.add(t);
            }
            c.put("thresholds", inner);
        }
        return c;
    }

    private double[] initThresholdsSorted() {
        double[] d = initThresholds.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(d);
        return d;
    }

    public static AUC fromConfig(Map<String, Object> config) {
        Builder b = builder()
                .numThresholds(Configs.getInt(config, "num_thresholds", 200))
                .curve(Configs.getString(config, "curve", "ROC"))
                .summationMethod(Configs.getString(config, "summation_method", "interpolation"))
                .fromLogits(Configs.getBoolean(config, "from_logits", false))
                .name(Configs.getString(config, "name", "auc"));
        if (Configs.getBoolean(config, "multi_label", false)) {
            throw new IllegalArgumentException("AUC with multi_label=True is not supported yet. Received: "
                    + "multi_label=true");
        }
        Object t = config.get("thresholds");
        if (t instanceof List<?> l) {
            double[] d = new double[l.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = ((Number) l.get(i)).doubleValue();
            }
            b.thresholds(d);
        }
        return b.build();
    }

    /** Keras's AUC arguments. */
    public static final class Builder {
        private int numThresholds = 200;
        private String curve = "ROC";
        private String summationMethod = "interpolation";
        private String name = "auc";
        private List<Double> thresholds;
        private boolean fromLogits;

        private Builder() {
        }

        /** Number of thresholds, at least 2. Defaults to {@code 200}. */
        public Builder numThresholds(int numThresholds) {
            this.numThresholds = numThresholds;
            return this;
        }

        /** {@code "ROC"} or {@code "PR"} (or {@code "PRGAIN"}). Defaults to {@code "ROC"}. */
        public Builder curve(String curve) {
            this.curve = curve;
            return this;
        }

        /** {@code "interpolation"}, {@code "minoring"} or {@code "majoring"}. Defaults to {@code "interpolation"}. */
        public Builder summationMethod(String summationMethod) {
            this.summationMethod = summationMethod;
            return this;
        }

        /** Defaults to {@code "auc"}. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Inner thresholds in {@code [0, 1]}, replacing {@code num_thresholds}. Defaults to {@code null}. */
        public Builder thresholds(double... thresholds) {
            List<Double> l = new ArrayList<>();
            for (double t : thresholds) {
                l.add(t);
            }
            this.thresholds = l;
            return this;
        }

        /** Predictions are logits: apply a sigmoid first. Defaults to {@code false}. */
        public Builder fromLogits(boolean fromLogits) {
            this.fromLogits = fromLogits;
            return this;
        }

        public AUC build() {
            return new AUC(this);
        }
    }
}
