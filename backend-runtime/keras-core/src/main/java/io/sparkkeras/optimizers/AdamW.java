package io.sparkkeras.optimizers;

import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter): before each Adam update,
 * {@code w -= w * lr * weight_decay}. Keras's {@code AdamW}, id {@code "adamw"}; {@code weight_decay} defaults to
 * {@code 0.004} and must be set.
 *
 * <pre>{@code
 * Optimizer o = AdamW.builder().learningRate(1e-3).weightDecay(0.01).build();
 * }</pre>
 */
public final class AdamW extends AdamBase {

    /** Keras's defaults: {@code learning_rate=0.001}, {@code weight_decay=0.004}. */
    public AdamW() {
        this(builder());
    }

    /** @param learningRate the fixed learning rate. Defaults to {@code 0.001}. */
    public AdamW(double learningRate) {
        this(builder().learningRate(learningRate));
    }

    private AdamW(Builder b) {
        super(checked(b));
    }

    private static Builder checked(Builder b) {
        if (b.args.weightDecay == null) {
            throw new IllegalArgumentException("Argument `weight_decay` must be a float. Received: weight_decay=None");
        }
        return b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Rebuilds an AdamW from {@link #getConfig()}; {@code weight_decay} must be present and not null. */
    public static AdamW fromConfig(Map<String, Object> config) {
        Builder b = builder().config(config);
        return b.build();
    }

    /** Builds an {@link AdamW}: Adam's arguments, with {@code weight_decay} defaulting to {@code 0.004}. */
    public static final class Builder extends Adam.AdamBuilder<Builder> {
        private Builder() {
            super("adamw");
            args.weightDecay = 0.004;
        }

        public AdamW build() {
            return new AdamW(this);
        }
    }
}
