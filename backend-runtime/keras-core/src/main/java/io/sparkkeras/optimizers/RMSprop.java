package io.sparkkeras.optimizers;

import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * RMSprop: divides the gradient by a running root mean square. Keras's {@code RMSprop}, id {@code "rmsprop"}:
 * {@code v = rho * v + (1 - rho) * g^2}; with {@code centered}, also {@code a = rho * a + (1 - rho) * g} and the
 * denominator {@code v - a^2 + epsilon}, else {@code v + epsilon}; {@code inc = lr * g / sqrt(denominator)}; with
 * {@code momentum > 0}, {@code m = momentum * m + inc} and {@code w -= m}, else {@code w -= inc}.
 *
 * <pre>{@code
 * Optimizer o = RMSprop.builder().learningRate(1e-3).momentum(0.9).centered(true).build();
 * }</pre>
 */
public final class RMSprop extends Optimizer {
    private final double rho;
    private final double momentum;
    private final double epsilon;
    private final boolean centered;
    private final List<Variable> velocities = new ArrayList<>();
    private final List<Variable> momentums = new ArrayList<>();
    private final List<Variable> averageGradients = new ArrayList<>();

    /** Keras's defaults: {@code learning_rate=0.001}, {@code rho=0.9}. */
    public RMSprop() {
        this(builder());
    }

    /** @param learningRate the fixed learning rate. Defaults to {@code 0.001}. */
    public RMSprop(double learningRate) {
        this(builder().learningRate(learningRate));
    }

    private RMSprop(Builder b) {
        super(b.name, b.args);
        this.rho = b.rho;
        this.momentum = b.momentum;
        this.epsilon = b.epsilon;
        this.centered = b.centered;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Rebuilds an RMSprop from {@link #getConfig()}. */
    public static RMSprop fromConfig(Map<String, Object> config) {
        Builder b = builder().commonConfig(config);
        b.rho = OptimizerBuilder.doubleOr(config, "rho", b.rho);
        b.momentum = OptimizerBuilder.doubleOr(config, "momentum", b.momentum);
        b.epsilon = OptimizerBuilder.doubleOr(config, "epsilon", b.epsilon);
        b.centered = OptimizerBuilder.booleanOr(config, "centered", b.centered);
        return b.build();
    }

    @Override
    protected void build(List<Variable> variables) {
        super.build(variables);
        for (Variable v : variables) {
            velocities.add(addVariableFromReference(v, "velocity"));
        }
        if (momentum > 0) {
            for (Variable v : variables) {
                momentums.add(addVariableFromReference(v, "momentum"));
            }
        }
        if (centered) {
            for (Variable v : variables) {
                averageGradients.add(addVariableFromReference(v, "average_gradient"));
            }
        }
    }

    @Override
    protected void updateStep(Tensor gradient, Variable variable, Tensor learningRate) {
        int i = indexOf(variable);
        Variable velocity = velocities.get(i);
        velocity.assign(Ops.add(Ops.multiply(velocity.value(), rho), Ops.multiply(Ops.square(gradient), 1 - rho)));
        Tensor denominator;
        if (centered) {
            Variable avg = averageGradients.get(i);
            avg.assign(Ops.add(Ops.multiply(avg.value(), rho), Ops.multiply(gradient, 1 - rho)));
            denominator = Ops.add(Ops.subtract(velocity.value(), Ops.square(avg.value())), epsilon);
        } else {
            denominator = Ops.add(velocity.value(), epsilon);
        }
        Tensor increment = Ops.divide(Ops.multiply(gradient, learningRate), Ops.sqrt(denominator));
        if (momentum > 0) {
            Variable m = momentums.get(i);
            m.assign(Ops.add(Ops.multiply(m.value(), momentum), increment));
            variable.assignSub(m.value());
        } else {
            variable.assignSub(increment);
        }
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("rho", rho, "momentum", momentum, "epsilon", epsilon,
                "centered", centered));
    }

    /** Keras's RMSprop arguments. */
    public static final class Builder extends OptimizerBuilder<Builder> {
        private double rho = 0.9;
        private double momentum = 0.0;
        private double epsilon = 1e-7;
        private boolean centered;

        private Builder() {
            super(0.001, "rmsprop");
        }

        /** Discounting factor for the gradient history. Defaults to {@code 0.9}. */
        public Builder rho(double rho) {
            this.rho = rho;
            return this;
        }

        /** Defaults to {@code 0.0}. */
        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        /** Defaults to {@code 1e-7}. */
        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /** Normalize by the estimated variance of the gradient. Defaults to {@code false}. */
        public Builder centered(boolean centered) {
            this.centered = centered;
            return this;
        }

        public RMSprop build() {
            return new RMSprop(this);
        }
    }
}
