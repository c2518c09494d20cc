package io.sparkkeras.optimizers.schedules;

import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * Exponential decay: {@code initial_learning_rate * decay_rate ^ (step / decay_steps)}, with the exponent floored
 * when {@code staircase} is set. Keras's {@code keras.optimizers.schedules.ExponentialDecay}.
 *
 * <pre>{@code
 * LearningRateSchedule s = ExponentialDecay.builder(0.1, 10, 0.5).staircase(true).build();
 * s.valueAt(25);   // 0.1 * 0.5^2 = 0.025
 * }</pre>
 */
public final class ExponentialDecay extends LearningRateSchedule {
    private final double initialLearningRate;
    private final long decaySteps;
    private final double decayRate;
    private final boolean staircase;
    private final String name;

    /**
     * @param initialLearningRate the rate at step 0
     * @param decaySteps          steps per decay period; positive
     * @param decayRate           factor per period
     */
    public ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate) {
        this(builder(initialLearningRate, decaySteps, decayRate));
    }

    private ExponentialDecay(Builder b) {
        if (b.decaySteps <= 0) {
            throw new IllegalArgumentException("Argument `decay_steps` must be > 0. Received: decay_steps="
                    + b.decaySteps);
        }
        this.initialLearningRate = b.initialLearningRate;
        this.decaySteps = b.decaySteps;
        this.decayRate = b.decayRate;
        this.staircase = b.staircase;
        this.name = b.name;
    }

    public static Builder builder(double initialLearningRate, long decaySteps, double decayRate) {
        return new Builder(initialLearningRate, decaySteps, decayRate);
    }

    @Override
    public Tensor apply(Tensor step) {
        Tensor p = Ops.divide(step, (double) decaySteps);
        if (staircase) {
            p = Ops.floor(p);
        }
        return Ops.multiply(Ops.power(Ops.scalar(decayRate), p), initialLearningRate);
    }

    @Override
    public double valueAt(long step) {
        double p = (double) step / decaySteps;
        if (staircase) {
            p = Math.floor(p);
        }
        return initialLearningRate * Math.pow(decayRate, p);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.of("initial_learning_rate", initialLearningRate, "decay_steps", decaySteps,
                "decay_rate", decayRate, "staircase", staircase, "name", name);
    }

    public static ExponentialDecay fromConfig(Map<String, Object> c) {
        return builder(Configs.getDouble(c, "initial_learning_rate"), Configs.getLongOrNull(c, "decay_steps") == null
                        ? 0 : Configs.getLongOrNull(c, "decay_steps"), Configs.getDouble(c, "decay_rate"))
                .staircase(Configs.getBoolean(c, "staircase", false))
                .name(Configs.getString(c, "name", "ExponentialDecay"))
                .build();
    }

    /** Keras's optional arguments of {@link ExponentialDecay}. */
    public static final class Builder {
        private final double initialLearningRate;
        private final long decaySteps;
        private final double decayRate;
        private boolean staircase;
        private String name = "ExponentialDecay";

        private Builder(double initialLearningRate, long decaySteps, double decayRate) {
            this.initialLearningRate = initialLearningRate;
            this.decaySteps = decaySteps;
            this.decayRate = decayRate;
        }

        /** Decay at discrete intervals: floor the exponent. Defaults to {@code false}. */
        public Builder staircase(boolean staircase) {
            this.staircase = staircase;
            return this;
        }

        /** Defaults to {@code "ExponentialDecay"}. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public ExponentialDecay build() {
            return new ExponentialDecay(this);
        }
    }
}
