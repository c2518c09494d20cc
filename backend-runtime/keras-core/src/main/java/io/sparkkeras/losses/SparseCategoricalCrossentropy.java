package io.sparkkeras.losses;

import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Nn;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * Crossentropy between integer labels and predicted class scores: {@code -log p[y]}. Keras's
 * {@code SparseCategoricalCrossentropy}, id {@code "sparse_categorical_crossentropy"}.
 *
 * <p>{@code y_true}: class ids, shape {@code (batch,)}. {@code y_pred}: probabilities (or logits with
 * {@code fromLogits}), shape {@code (batch, num_classes)}.
 *
 * <pre>{@code
 * Loss loss = SparseCategoricalCrossentropy.builder().fromLogits(true).build();
 * }</pre>
 */
public final class SparseCategoricalCrossentropy extends Loss {
    private final boolean fromLogits;

    /** Probabilities in, {@code "sum_over_batch_size"} reduction. */
    public SparseCategoricalCrossentropy() {
        this(builder());
    }

    private SparseCategoricalCrossentropy(Builder b) {
        super(b.name, b.reduction);
        this.fromLogits = b.fromLogits;
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean fromLogits() {
        return fromLogits;
    }

    @Override
    protected Tensor call(Tensor yTrue, Tensor yPred) {
        return Nn.sparseCategoricalCrossentropy(yTrue, yPred, fromLogits);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("from_logits", fromLogits, "ignore_class", null));
    }

    public static SparseCategoricalCrossentropy fromConfig(Map<String, Object> c) {
        return builder().fromLogits(Configs.getBoolean(c, "from_logits", false))
                .reduction(Configs.getString(c, "reduction", "sum_over_batch_size"))
                .name(Configs.getString(c, "name", "sparse_categorical_crossentropy")).build();
    }

    /** Keras's optional arguments: see {@link LossBuilder}. */
    public static final class Builder extends LossBuilder<Builder> {
        private Builder() {
            super("sparse_categorical_crossentropy");
        }

        public SparseCategoricalCrossentropy build() {
            return new SparseCategoricalCrossentropy(this);
        }
    }
}
