package io.sparkkeras.optimizers.schedules;

import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * Cosine decay with optional linear warmup. Keras's {@code keras.optimizers.schedules.CosineDecay}: without
 * {@code warmup_target}, {@code lr(step) = initial_learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * s /
 * decay_steps)) + alpha)} with {@code s = min(step, decay_steps)}. With {@code warmup_target}, the rate first rises
 * linearly from {@code initial_learning_rate} to {@code warmup_target} over {@code warmup_steps}, then decays from
 * {@code warmup_target} by the same formula over the following {@code decay_steps}.
 *
 * <pre>{@code
 * LearningRateSchedule s = CosineDecay.builder(0.1, 100).alpha(0.1).build();
 * s.valueAt(50);   // 0.1 * (0.9 * 0.5 + 0.1) = 0.055
 * }</pre>
 *
 * <p>{@code Ops} has no cosine yet, so {@link #apply} evaluates {@code cos(pi * f)} for {@code f} in {@code [0, 1]}
 * as {@code -sin(pi * (f - 1/2))} with its Taylor series to degree 15 (error below {@code 1e-9}, under float32's
 * resolution): the same numbers as {@code ops.cos} in float32.
 */
public final class CosineDecay extends LearningRateSchedule {
    private final double initialLearningRate;
    private final long decaySteps;
    private final double alpha;
    private final String name;
    private final Double warmupTarget;
    private final long warmupSteps;

    /**
     * @param initialLearningRate the rate at step 0
     * @param decaySteps          steps to decay over; positive
     */
    public CosineDecay(double initialLearningRate, long decaySteps) {
        this(builder(initialLearningRate, decaySteps));
    }

    private CosineDecay(Builder b) {
        if (b.decaySteps <= 0) {
            throw new IllegalArgumentException("Argument `decay_steps` must be > 0. Received: decay_steps="
                    + b.decaySteps);
        }
        if (b.warmupSteps < 0) {
            throw new IllegalArgumentException("Received an invalid value for `warmup_steps`, expected an integer "
                    + ">= 0. Received: warmup_steps=" + b.warmupSteps);
        }
        this.initialLearningRate = b.initialLearningRate;
        this.decaySteps = b.decaySteps;
        this.alpha = b.alpha;
        this.name = b.name;
        this.warmupTarget = b.warmupTarget;
        this.warmupSteps = b.warmupSteps;
    }

    public static Builder builder(double initialLearningRate, long decaySteps) {
        return new Builder(initialLearningRate, decaySteps);
    }

    @Override
    public Tensor apply(Tensor step) {
        if (warmupTarget == null) {
            Tensor s = Ops.minimum(step, (double) decaySteps);
            return decay(s, Ops.scalar(initialLearningRate));
        }
        Tensor s = Ops.minimum(step, (double) (decaySteps + warmupSteps));
        // ops.cond in Keras; both branches are cheap scalars, so a select keeps the step traceable.
        Tensor warm = Ops.add(Ops.multiply(Ops.divide(s, (double) warmupSteps),
                warmupTarget - initialLearningRate), initialLearningRate);
        Tensor dec = decay(Ops.maximum(Ops.subtract(s, (double) warmupSteps), 0.0), Ops.scalar(warmupTarget));
        return Ops.where(Ops.less(s, Ops.scalar(warmupSteps)), warm, dec);
    }

    private Tensor decay(Tensor step, Tensor from) {
        Tensor fraction = Ops.divide(step, (double) decaySteps);
        Tensor cosine = Ops.multiply(Ops.add(cosPi(fraction), 1.0), 0.5);
        return Ops.multiply(from, Ops.add(Ops.multiply(cosine, 1 - alpha), alpha));
    }

    /** {@code cos(pi * f)} for {@code f} in {@code [0, 1]}: {@code -sin(x)}, {@code x = pi * (f - 1/2)}. */
    private static Tensor cosPi(Tensor f) {
        Tensor x = Ops.multiply(Ops.subtract(f, 0.5), Math.PI);
        Tensor x2 = Ops.square(x);
        // sin(x) = x * (1 - x^2/3! (1 - x^2/(4*5) (1 - x^2/(6*7) (...))))  (Horner form of the Taylor series)
        Tensor acc = Ops.scalar(1.0);
        for (int k = 7; k >= 1; k--) {
            double c = 1.0 / ((2.0 * k) * (2.0 * k + 1));
            acc = Ops.subtract(1.0, Ops.multiply(Ops.multiply(x2, acc), c));
        }
        return Ops.negative(Ops.multiply(x, acc));
    }

    @Override
    public double valueAt(long step) {
        if (warmupTarget == null) {
            return decayValue(Math.min(step, decaySteps), initialLearningRate);
        }
        double s = Math.min(step, decaySteps + warmupSteps);
        if (s < warmupSteps) {
            return (warmupTarget - initialLearningRate) * (s / warmupSteps) + initialLearningRate;
        }
        return decayValue(s - warmupSteps, warmupTarget);
    }

    private double decayValue(double step, double from) {
        double cosine = 0.5 * (1.0 + Math.cos(Math.PI * (step / decaySteps)));
        return from * ((1 - alpha) * cosine + alpha);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.of("initial_learning_rate", initialLearningRate, "decay_steps", decaySteps, "alpha", alpha,
                "name", name, "warmup_target", warmupTarget, "warmup_steps", warmupSteps);
    }

    public static CosineDecay fromConfig(Map<String, Object> c) {
        Long steps = Configs.getLongOrNull(c, "decay_steps");
        Builder b = builder(Configs.getDouble(c, "initial_learning_rate"), steps == null ? 0 : steps)
                .alpha(Configs.getDouble(c, "alpha", 0.0))
                .name(Configs.getString(c, "name", "CosineDecay"));
        Long ws = Configs.getLongOrNull(c, "warmup_steps");
        b.warmupSteps(ws == null ? 0 : ws);
        if (c.get("warmup_target") != null) {
            b.warmupTarget(Configs.getDouble(c, "warmup_target"));
        }
        return b.build();
    }

    /** Keras's optional arguments of {@link CosineDecay}. */
    public static final class Builder {
        private final double initialLearningRate;
        private final long decaySteps;
        private double alpha;
        private String name = "CosineDecay";
        private Double warmupTarget;
        private long warmupSteps;

        private Builder(double initialLearningRate, long decaySteps) {
            this.initialLearningRate = initialLearningRate;
            this.decaySteps = decaySteps;
        }

        /** Minimum rate as a fraction of the start rate. Defaults to {@code 0.0}. */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /** Defaults to {@code "CosineDecay"}. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** The rate reached at the end of the warmup; enables the warmup. Defaults to {@code null}. */
        public Builder warmupTarget(double warmupTarget) {
            this.warmupTarget = warmupTarget;
            return this;
        }

        /** Defaults to {@code 0}. */
        public Builder warmupSteps(long warmupSteps) {
            this.warmupSteps = warmupSteps;
            return this;
        }

        public CosineDecay build() {
            return new CosineDecay(this);
        }
    }
}
