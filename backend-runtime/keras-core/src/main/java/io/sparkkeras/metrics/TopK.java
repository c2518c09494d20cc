package io.sparkkeras.metrics;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;

/** Keras's {@code ops.in_top_k} over {@code Ops}: shared by the top-k accuracies and Precision/Recall's top_k. */
final class TopK {
    private TopK() {
    }

    /**
     * 1.0 where the score of class {@code target} is among the {@code k} largest of its row (ties with the k-th
     * score count as in, as TensorFlow's {@code in_top_k}), else 0.0.
     *
     * @param target class ids, shape {@code (n,)}
     * @param scores shape {@code (n, classes)}
     */
    static Tensor inTopK(Tensor target, Tensor scores, int k) {
        long classes = scores.shape().last();
        int kk = (int) Math.min(k, classes);
        Tensor ids = Ops.arange(0, classes, 1, DType.INT64);
        Tensor oneHot = Ops.cast(Ops.equal(Ops.expandDims(Ops.cast(target, DType.INT64), -1), ids), DType.FLOAT32);
        Tensor s = Ops.cast(scores, DType.FLOAT32);
        Tensor atTarget = Ops.sum(Ops.multiply(s, oneHot), new int[] {-1}, false);
        Tensor kth = Ops.min(Ops.topK(s, kk).get(0), new int[] {-1}, false);
        return Ops.cast(Ops.greaterEqual(atTarget, kth), DType.FLOAT32);
    }

    /** Keras's {@code metrics_utils.NEG_INF}. */
    static final double NEG_INF = -1e10;

    /**
     * {@code scores} with all but the {@code k} highest of each row (by {@code top_k}'s indices, so ties go to the
     * lower index) set to {@code NEG_INF}: Keras's {@code _filter_top_k}.
     */
    static Tensor filterTopK(Tensor scores, int k) {
        Tensor s = Ops.cast(scores, DType.FLOAT32);
        long classes = s.shape().last();
        int kk = (int) Math.min(k, classes);
        Tensor idx = Ops.cast(Ops.topK(s, kk).get(1), DType.INT64);
        Tensor ids = Ops.arange(0, classes, 1, DType.INT64);
        Tensor mask = Ops.sum(Ops.cast(Ops.equal(Ops.expandDims(idx, -1), ids), DType.FLOAT32), -2);
        return Ops.add(Ops.multiply(s, mask), Ops.multiply(Ops.subtract(1.0, mask), NEG_INF));
    }

    /** Flattens {@code (..., classes)} scores to rank 2 and labels to rank 1, as Keras does before in_top_k. */
    static Tensor flattenScores(Tensor scores) {
        return scores.shape().rank() > 2 ? Ops.reshape(scores, -1, scores.shape().last()) : scores;
    }
}
