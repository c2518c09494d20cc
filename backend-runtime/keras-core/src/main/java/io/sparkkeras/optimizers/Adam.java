package io.sparkkeras.optimizers;

import io.sparkkeras.optimizers.schedules.LearningRateSchedule;

import java.util.Map;

/**
 * Adam: adaptive moment estimation. Keras's {@code Adam}, with Keras's update:
 * {@code m += (g - m)(1 - beta_1)}, {@code v += (g^2 - v)(1 - beta_2)},
 * {@code w -= lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon)}.
 *
 * <pre>{@code
 * Optimizer adam = new Adam(1e-3);
 * Optimizer amsgrad = Adam.builder().learningRate(1e-3).amsgrad(true).build();
 * }</pre>
 */
public final class Adam extends AdamBase {
    /** Keras's defaults: {@code learning_rate=0.001}. */
    public Adam() {
        this(builder());
    }

    /** @param learningRate the fixed learning rate. Defaults to {@code 0.001}. */
    public Adam(double learningRate) {
        this(builder().learningRate(learningRate));
    }

    private Adam(Builder b) {
        super(b);
    }

    /** @param learningRate a schedule of the learning rate over steps */
    public Adam(LearningRateSchedule learningRate) {
        this(builder().learningRate(learningRate));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Rebuilds an Adam from {@link #getConfig()}. */
    public static Adam fromConfig(Map<String, Object> config) {
        return builder().config(config).build();
    }

    /** Keras's Adam arguments, shared with {@link AdamW}. */
    @SuppressWarnings("unchecked")
    public abstract static class AdamBuilder<B extends AdamBuilder<B>> extends OptimizerBuilder<B> {
        double beta1 = 0.9;
        double beta2 = 0.999;
        double epsilon = 1e-7;
        boolean amsgrad;

        AdamBuilder(String name) {
            super(0.001, name);
        }

        /** Defaults to {@code 0.9}. */
        public B beta1(double v) {
            this.beta1 = v;
            return (B) this;
        }

        /** Defaults to {@code 0.999}. */
        public B beta2(double v) {
            this.beta2 = v;
            return (B) this;
        }

        /** Defaults to {@code 1e-7}. */
        public B epsilon(double v) {
            this.epsilon = v;
            return (B) this;
        }

        /** Defaults to {@code false}. */
        public B amsgrad(boolean v) {
            this.amsgrad = v;
            return (B) this;
        }

        B config(Map<String, Object> c) {
            commonConfig(c);
            beta1 = doubleOr(c, "beta_1", beta1);
            beta2 = doubleOr(c, "beta_2", beta2);
            epsilon = doubleOr(c, "epsilon", epsilon);
            amsgrad = booleanOr(c, "amsgrad", amsgrad);
            return (B) this;
        }
    }

    /** Builds an {@link Adam}. */
    public static final class Builder extends AdamBuilder<Builder> {
        private Builder() {
            super("adam");
        }

        public Adam build() {
            return new Adam(this);
        }
    }
}
