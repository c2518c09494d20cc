package io.sparkkeras.spark;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.models.Model;

import java.io.Serializable;

/**
 * What the driver needs to know about a model without holding it: its input shape (per sample), whether it is
 * compiled, and its loss (which fixes the label type: integer class ids for the sparse crossentropy, float32
 * otherwise) and whether its outputs are logits.
 */
final class ModelInfo implements Serializable {
    private static final long serialVersionUID = 1L;

    final long[] inputShape;
    final boolean compiled;
    final String lossClass;
    final boolean fromLogits;
    /** Values the model outputs per row (its per-sample output size), or -1 if it cannot be inferred. */
    final long outputUnits;

    private ModelInfo(long[] inputShape, boolean compiled, String lossClass, boolean fromLogits, long outputUnits) {
        this.inputShape = inputShape;
        this.compiled = compiled;
        this.lossClass = lossClass;
        this.fromLogits = fromLogits;
        this.outputUnits = outputUnits;
    }

    static ModelInfo of(Model model) {
        Shape in = ModelBytes.inputShape(model);
        if (model.numOutputs() > 1) {
            throw new IllegalArgumentException("Received a model with " + model.numOutputs() + " outputs, expected "
                    + "one: each row has one label column and gets one probability and prediction. Received: model="
                    + model.name());
        }
        boolean compiled = model.isCompiled();
        String loss = compiled ? model.losses().get(0).className() : null;
        boolean logits = compiled && Boolean.TRUE.equals(model.losses().get(0).getConfig().get("from_logits"));
        return new ModelInfo(in.dims(), compiled, loss, logits, outputUnits(model, in));
    }

    private static long outputUnits(Model model, Shape in) {
        try {
            return model.computeOutputShape(in.prepend(Shape.UNKNOWN)).dropFirst().size();
        } catch (RuntimeException e) {
            return -1;   // a subclassed model without computeOutputShape: found out on the workers
        }
    }

    /**
     * Fails when {@code loss} compares each of several outputs with its own label value: the estimator reads one
     * number per row from the label column, so such a loss would fail mid-training on a shape mismatch (or, with a
     * batch as long as the outputs, broadcast silently).
     */
    void checkScalarLabels(String loss, String labelCol) {
        if (outputUnits <= 1 || loss == null) {
            return;
        }
        String l = loss.toLowerCase(java.util.Locale.ROOT).replace("_", "");
        boolean perOutput = l.equals("categoricalcrossentropy") || l.equals("binarycrossentropy")
                || l.equals("meansquarederror") || l.equals("mse") || l.equals("meanabsoluteerror")
                || l.equals("mae") || l.equals("huber");
        if (perOutput) {
            throw new IllegalArgumentException("Received a model with " + outputUnits + " outputs per row and loss "
                    + loss + ", which needs " + outputUnits + " label values per row (one-hot classes, or one target "
                    + "per output), but the label column `" + labelCol + "` holds one number per row. For class ids "
                    + "in [0, " + outputUnits + "), use sparse_categorical_crossentropy (compile with it, or "
                    + "setLoss(\"sparse_categorical_crossentropy\")).");
        }
    }

    /**
     * Checks Spark's {@code thresholds} against this model: one per class of a classifier (two for a one-output binary
     * classifier), non-negative, at most one zero, as Spark ML's classifiers require.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    void checkThresholds(double[] thresholds) {
        int zeros = 0;
        for (double t : thresholds) {
            if (!(t >= 0) || Double.isInfinite(t)) {
                throw new IllegalArgumentException("Received thresholds " + java.util.Arrays.toString(thresholds)
                        + ", expected finite values >= 0");
            }
            zeros += t == 0 ? 1 : 0;
        }
        if (zeros > 1) {
            throw new IllegalArgumentException("Received thresholds " + java.util.Arrays.toString(thresholds)
                    + ", expected at most one 0 (the class it belongs to is then always predicted)");
        }
        String l = lossClass == null ? "" : lossClass.toLowerCase(java.util.Locale.ROOT);
        boolean multiLabel = sigmoidOutputs() && outputUnits > 1;
        if (!l.contains("crossentropy") || multiLabel) {
            throw new IllegalArgumentException("Received thresholds for a model trained with " + lossClass
                    + (multiLabel ? " on " + outputUnits + " outputs (multi-label)" : "") + ", expected a classifier "
                    + "(sparse or categorical crossentropy, or binary crossentropy on one output): thresholds "
                    + "choose among the classes of one probability vector");
        }
        long classes = sigmoidOutputs() ? 2 : outputUnits;
        if (classes > 0 && thresholds.length != classes) {
            throw new IllegalArgumentException("Received " + thresholds.length + " thresholds, expected one per class: "
                    + classes + (sigmoidOutputs() ? " ([P(0), P(1)] of a binary classifier)" : ""));
        }
    }

    /** Binary crossentropy: each output is its own sigmoid probability, not a share of a softmax. */
    boolean sigmoidOutputs() {
        return lossClass != null && lossClass.toLowerCase(java.util.Locale.ROOT).replace("_", "")
                .contains("binarycrossentropy");
    }

    Shape inputShape() {
        return Shape.of(inputShape);
    }

    /** Label type for a loss class or id: int32 for sparse categorical crossentropy, else float32. */
    static DType labelType(String loss) {
        if (loss == null) {
            return DType.FLOAT32;
        }
        String l = loss.toLowerCase(java.util.Locale.ROOT).replace("_", "");
        return l.contains("sparse") ? DType.INT32 : DType.FLOAT32;
    }
}
