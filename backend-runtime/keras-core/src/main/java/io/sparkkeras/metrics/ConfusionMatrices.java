package io.sparkkeras.metrics;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.ops.Nn;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.NdArray;

import java.util.List;

/**
 * Keras's {@code metrics_utils.update_confusion_matrix_variables}, over {@code Ops}: for each threshold {@code t},
 * adds the (weighted) counts of {@code y_true != 0 && y_pred > t} (true positives), {@code y_true == 0 && y_pred > t}
 * (false positives), {@code y_true == 0 && y_pred <= t} (true negatives) and {@code y_true != 0 && y_pred <= t}
 * (false negatives). Every element of {@code y_pred} counts as one prediction.
 */
final class ConfusionMatrices {
    private ConfusionMatrices() {
    }

    /** Any of the four variables may be {@code null} (not tracked). Shapes: {@code (thresholds.length,)}. */
    static void update(Variable tp, Variable fp, Variable tn, Variable fn, Tensor yTrue, Tensor yPred,
                       Tensor sampleWeight, float[] thresholds, Integer topK, Integer classId, boolean fromLogits) {
        Tensor pred = Ops.cast(yPred, DType.FLOAT32);
        if (fromLogits) {
            pred = Nn.sigmoid(pred);
        }
        Tensor label = Ops.cast(yTrue, DType.FLOAT32);
        if (label.shape().rank() == pred.shape().rank() + 1 && label.shape().last() == 1) {
            label = Ops.squeeze(label, -1);
        } else if (label.shape().rank() + 1 == pred.shape().rank() && pred.shape().last() == 1) {
            label = Ops.expandDims(label, -1);
        }
        Tensor weight = null;
        if (sampleWeight != null) {
            weight = Ops.cast(sampleWeight, DType.FLOAT32);
            while (weight.shape().rank() < pred.shape().rank()) {
                weight = Ops.expandDims(weight, -1);
            }
            weight = Ops.multiply(Ops.onesLike(pred), weight);
        }
        if (topK != null) {
            pred = TopK.filterTopK(pred, topK);
        }
        if (classId != null) {
            Tensor index = Ops.convertToTensor(NdArray.of(new long[] {classId}));
            pred = Ops.take(pred, index, -1);
            label = Ops.take(label, index, -1);
            if (weight != null) {
                weight = Ops.take(weight, index, -1);
            }
        }
        Tensor predRow = Ops.reshape(pred, 1, -1);
        Tensor pos = Ops.cast(Ops.notEqual(Ops.reshape(label, 1, -1), Ops.scalar(0)), DType.FLOAT32);
        Tensor neg = Ops.subtract(1.0, pos);
        if (weight != null) {
            Tensor w = Ops.reshape(weight, 1, -1);
            pos = Ops.multiply(pos, w);
            neg = Ops.multiply(neg, w);
        }
        Tensor thr = Ops.convertToTensor(NdArray.of(thresholds, thresholds.length, 1));
        Tensor above = Ops.cast(Ops.greater(predRow, thr), DType.FLOAT32);   // (thresholds, n)
        Tensor below = Ops.subtract(1.0, above);
        add(tp, above, pos);
        add(fp, above, neg);
        add(tn, below, neg);
        add(fn, below, pos);
    }

    private static void add(Variable v, Tensor predicted, Tensor actual) {
        if (v != null) {
            v.assignAdd(Ops.sum(Ops.multiply(predicted, actual), 1));
        }
    }

    /** {@code a / b}, 0 where {@code b == 0}: Keras's {@code divide_no_nan}. */
    static double divideNoNan(double a, double b) {
        return b == 0 ? 0 : a / b;
    }

    static float[] toFloats(List<Double> values) {
        float[] r = new float[values.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = values.get(i).floatValue();
        }
        return r;
    }

    static double[] host(Variable v) {
        float[] f = v.numpy().toFloatArray();
        double[] r = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            r[i] = f[i];
        }
        return r;
    }
}
