package io.sparkkeras.losses;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Nn;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * Crossentropy between one-hot (or soft) labels and predicted class scores, {@code -sum(y_true * log(y_pred))} over the last axis. Keras's {@code CategoricalCrossentropy}, id {@code "categorical_crossentropy"}. With {@code labelSmoothing} {@code s}, labels move towards
 * uniform: {@code y * (1 - s) + s / k} (binary: {@code k = 2}).
 *
 * <pre>{@code
 * Loss loss = CategoricalCrossentropy.builder().fromLogits(true).labelSmoothing(0.1).build();
 * }</pre>
 */
public final class CategoricalCrossentropy extends Loss {
    private final boolean fromLogits;
    private final double labelSmoothing;

    /** Probabilities in, no smoothing, {@code "sum_over_batch_size"} reduction. */
    public CategoricalCrossentropy() {
        this(builder());
    }

    private CategoricalCrossentropy(Builder b) {
        super(b.name, b.reduction);
        if (!(b.labelSmoothing >= 0 && b.labelSmoothing <= 1)) {
            throw new IllegalArgumentException("Received an invalid value for `label_smoothing`, expected a value "
                    + "in [0, 1]. Received: label_smoothing=" + b.labelSmoothing);
        }
        this.fromLogits = b.fromLogits;
        this.labelSmoothing = b.labelSmoothing;
    }

    public static Builder builder() {
        return new Builder();
    }

    private Tensor smooth(Tensor yTrue, boolean binary) {
        Tensor y = Ops.cast(yTrue, DType.FLOAT32);
        if (labelSmoothing == 0) {
            return y;
        }
        double k = binary ? 2 : y.shape().last();
        return Ops.add(Ops.multiply(y, 1 - labelSmoothing), labelSmoothing / k);
    }

    @Override
    protected Tensor call(Tensor yTrue, Tensor yPred) {
        return Nn.categoricalCrossentropy(smooth(yTrue, false), yPred, fromLogits);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("from_logits", fromLogits,
                "label_smoothing", labelSmoothing, "axis", -1));
    }

    public static CategoricalCrossentropy fromConfig(Map<String, Object> c) {
        return builder().fromLogits(Configs.getBoolean(c, "from_logits", false))
                .labelSmoothing(Configs.getDouble(c, "label_smoothing", 0.0))
                .reduction(Configs.getString(c, "reduction", "sum_over_batch_size"))
                .name(Configs.getString(c, "name", "categorical_crossentropy")).build();
    }

    /** Keras's optional arguments: see {@link LossBuilder}. */
    public static final class Builder extends LossBuilder.Smoothed<Builder> {
        private Builder() {
            super("categorical_crossentropy");
        }

        public CategoricalCrossentropy build() {
            return new CategoricalCrossentropy(this);
        }
    }
}
