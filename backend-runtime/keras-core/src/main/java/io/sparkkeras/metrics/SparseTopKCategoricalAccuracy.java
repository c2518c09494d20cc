package io.sparkkeras.metrics;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * How often the integer target is among the {@code k} highest predictions. Keras's
 * {@code SparseTopKCategoricalAccuracy}, id {@code "sparse_top_k_categorical_accuracy"}. With
 * {@code from_sorted_ids}, {@code y_pred} holds class ids sorted by score instead of scores.
 *
 * <pre>{@code
 * Metric m = new SparseTopKCategoricalAccuracy(1);
 * m.updateState(labels, scores, null);   // labels [2, 1], scores [[.1,.9,.8],[.05,.95,0]]
 * m.result();   // 0.5
 * }</pre>
 */
public final class SparseTopKCategoricalAccuracy extends MeanMetricWrapper {
    private final int k;
    private final boolean fromSortedIds;

    /** Keras's default {@code k=5}. */
    public SparseTopKCategoricalAccuracy() {
        this(5);
    }

    /** @param k number of top predictions to look at. Defaults to {@code 5}. */
    public SparseTopKCategoricalAccuracy(int k) {
        this(builder().k(k));
    }

    private SparseTopKCategoricalAccuracy(Builder b) {
        super(b.name, fn(TopKCategoricalAccuracy.checkK(b.k), b.fromSortedIds));
        this.k = b.k;
        this.fromSortedIds = b.fromSortedIds;
    }

    public static Builder builder() {
        return new Builder();
    }

    private static java.util.function.BinaryOperator<Tensor> fn(int k, boolean sorted) {
        return (t, p) -> matches(t, p, k, sorted);
    }

    private static Tensor matches(Tensor yTrue, Tensor yPred, int k, boolean fromSortedIds) {
        Tensor target = yTrue;
        if (target.shape().rank() == yPred.shape().rank() && target.shape().last() == 1) {
            target = Ops.squeeze(target, -1);
        }
        if (target.shape().rank() > 1) {
            target = Ops.reshape(target, -1);
        }
        Tensor scores = TopK.flattenScores(yPred);
        if (!fromSortedIds) {
            return TopK.inTopK(target, scores, k);
        }
        long n = scores.shape().last();
        int kk = (int) Math.min(k, n);
        long[] start = {0, 0};
        long[] size = {scores.shape().get(0), kk};
        Tensor firstK = Ops.cast(Ops.slice(scores, start, size), DType.INT64);
        Tensor eq = Ops.cast(Ops.equal(Ops.expandDims(Ops.cast(target, DType.INT64), 1), firstK), DType.FLOAT32);
        return Ops.max(eq, new int[] {1}, false);
    }

    @Override
    public String direction() {
        return "up";
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("k", k, "from_sorted_ids", fromSortedIds));
    }

    public static SparseTopKCategoricalAccuracy fromConfig(Map<String, Object> config) {
        return builder().k(Configs.getInt(config, "k", 5))
                .fromSortedIds(Configs.getBoolean(config, "from_sorted_ids", false))
                .name(Configs.getString(config, "name", "sparse_top_k_categorical_accuracy"))
                .build();
    }

    /** Keras's SparseTopKCategoricalAccuracy arguments. */
    public static final class Builder {
        private int k = 5;
        private boolean fromSortedIds;
        private String name = "sparse_top_k_categorical_accuracy";

        private Builder() {
        }

        /** Defaults to {@code 5}. */
        public Builder k(int k) {
            this.k = k;
            return this;
        }

        /** {@code y_pred} holds class ids sorted by decreasing score. Defaults to {@code false}. */
        public Builder fromSortedIds(boolean fromSortedIds) {
            this.fromSortedIds = fromSortedIds;
            return this;
        }

        /** Defaults to {@code "sparse_top_k_categorical_accuracy"}. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public SparseTopKCategoricalAccuracy build() {
            return new SparseTopKCategoricalAccuracy(this);
        }
    }
}
