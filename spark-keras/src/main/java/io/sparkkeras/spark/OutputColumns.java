package io.sparkkeras.spark;

import java.io.Serializable;

/**
 * One row's model outputs as Spark ML's classifier columns: rawPrediction, probability and prediction. Shared by
 * {@link KerasModel#transform} and the one-row {@link KerasModel#predict(org.apache.spark.ml.linalg.Vector)}, so
 * both give the same numbers.
 *
 * <pre>{@code
 * OutputColumns.Row r = columns.of(outputs, i * k, k);   // row i of a batch of k outputs per row
 * r.probability(); r.prediction();
 * }</pre>
 */
final class OutputColumns implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The outputs are logits: softmax-ed (or, for {@link #sigmoid}, each squashed) into probabilities. */
    private final boolean logits;
    /** One independent sigmoid probability per output (binary crossentropy), not one softmax distribution. */
    private final boolean sigmoid;
    /** Spark's thresholds (the class with the largest probability / threshold wins), or {@code null}. */
    private final double[] thresholds;

    OutputColumns(boolean logits, boolean sigmoid, double[] thresholds) {
        this.logits = logits;
        this.sigmoid = sigmoid;
        this.thresholds = thresholds;
    }

    /** One row's columns. For a regression model (one output, no sigmoid) probability is the value itself. */
    record Row(double[] raw, double[] probability, double prediction) {
    }

    /** The columns of the {@code k} outputs at {@code outputs[at, at + k)}. */
    Row of(float[] outputs, int at, int k) {
        double[] p = new double[k];
        int best = 0;
        for (int j = 0; j < k; j++) {
            p[j] = outputs[at + j];
            if (p[j] > p[best]) {
                best = j;
            }
        }
        double[] raw = rawPrediction(p);
        if (logits && sigmoid) {
            for (int j = 0; j < k; j++) {
                p[j] = 1 / (1 + Math.exp(-p[j]));
            }
        } else if (logits && k > 1) {
            double max = p[best];
            double sum = 0;
            for (int j = 0; j < k; j++) {
                p[j] = Math.exp(p[j] - max);
                sum += p[j];
            }
            for (int j = 0; j < k; j++) {
                p[j] /= sum;
            }
        }
        double predicted = k == 1 ? p[0] : best;
        if (sigmoid && k == 1) {
            // A binary classifier, as Spark ML's: probability [P(0), P(1)], prediction 1 when P(1) > 0.5.
            predicted = p[0] > 0.5 ? 1 : 0;
            p = new double[] {1 - p[0], p[0]};
        }
        if (thresholds != null) {
            predicted = byThresholds(p);
        }
        return new Row(raw, p, predicted);
    }

    /**
     * The prediction column alone, equal to {@code of(outputs, at, k).prediction()} without building the vectors:
     * the class with the largest output (softmax and sigmoid keep the order), a binary classifier's
     * {@code P(1) > 0.5}, a regression's value. With thresholds it needs the probabilities, so it builds them.
     */
    double prediction(float[] outputs, int at, int k) {
        if (thresholds != null) {
            return of(outputs, at, k).prediction();
        }
        if (k == 1) {
            double o = outputs[at];
            if (!sigmoid) {
                return o;
            }
            double p = logits ? 1 / (1 + Math.exp(-o)) : o;   // as of(): the same double, the same comparison
            return p > 0.5 ? 1 : 0;
        }
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (outputs[at + j] > outputs[at + best]) {
                best = j;
            }
        }
        return best;
    }

    /**
     * The model's outputs as they are, except for a binary classifier (one sigmoid output), which gets Spark's
     * two-element form: {@code [-z, z]} for a logit {@code z}, as {@code LogisticRegressionModel}, and
     * {@code [1 - p, p]} for a probability (a logit recovered from a saturated {@code p} would be infinite).
     */
    private double[] rawPrediction(double[] outputs) {
        if (sigmoid && outputs.length == 1) {
            double o = outputs[0];
            return logits ? new double[] {-o, o} : new double[] {1 - o, o};
        }
        return outputs.clone();
    }

    /** Spark's {@code probability2prediction}: the class with the largest {@code p / t}; a zero t always wins. */
    private double byThresholds(double[] p) {
        if (p.length != thresholds.length) {
            throw new IllegalArgumentException("Received " + thresholds.length + " thresholds, expected one per "
                    + "class: the model gives " + p.length + " probabilities per row");
        }
        int best = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < p.length; j++) {
            double scaled = p[j] / thresholds[j];
            if (scaled > max) {
                max = scaled;
                best = j;
            }
        }
        return best;
    }
}
