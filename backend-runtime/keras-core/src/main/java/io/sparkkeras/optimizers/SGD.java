package io.sparkkeras.optimizers;

import io.sparkkeras.backend.OptimizerKernels;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Gradient descent with optional momentum and Nesterov momentum. Keras's {@code SGD}:
 * without momentum {@code w -= lr * g}; with it {@code v = momentum * v - lr * g}, then {@code w += v} (or
 * {@code w += momentum * v - lr * g} with Nesterov).
 *
 * <pre>{@code
 * Optimizer sgd = SGD.builder().learningRate(0.1).momentum(0.9).nesterov(true).build();
 * }</pre>
 */
public final class SGD extends Optimizer {
    private final double momentum;
    private final boolean nesterov;
    private final List<Variable> momentums = new ArrayList<>();

    /** {@code learning_rate=0.01}, no momentum. */
    public SGD() {
        this(builder());
    }

    /** @param learningRate the fixed learning rate. Defaults to {@code 0.01}. */
    public SGD(double learningRate) {
        this(builder().learningRate(learningRate));
    }

    private SGD(Builder b) {
        super(b.name, b.args);
        if (!(b.momentum >= 0 && b.momentum <= 1)) {
            throw new IllegalArgumentException("`momentum` must be a float between [0, 1]. Received: momentum="
                    + b.momentum);
        }
        this.momentum = b.momentum;
        this.nesterov = b.nesterov;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Rebuilds an SGD from {@link #getConfig()}. */
    public static SGD fromConfig(Map<String, Object> config) {
        Builder b = builder().commonConfig(config);
        b.momentum = OptimizerBuilder.doubleOr(config, "momentum", 0.0);
        b.nesterov = OptimizerBuilder.booleanOr(config, "nesterov", false);
        return b.build();
    }

    @Override
    protected void build(List<Variable> variables) {
        super.build(variables);
        if (momentum != 0) {
            for (Variable v : variables) {
                momentums.add(addVariableFromReference(v, "momentum"));
            }
        }
    }

    @Override
    protected void updateStep(Tensor gradient, Variable variable, Tensor learningRate) {
        // A backend's fused kernel does the same math in one op (TensorFlow's ResourceApply*); else compose it.
        OptimizerKernels kernels = variable.backend().optimizerKernels();
        if (momentum == 0) {
            if (!kernels.gradientDescent(gradient, variable, learningRate)) {
                variable.assignSub(Ops.multiply(gradient, learningRate));
            }
            return;
        }
        Variable m = momentums.get(indexOf(variable));
        if (kernels.momentum(gradient, variable, m, learningRate, momentum, nesterov)) {
            return;
        }
        Tensor step = Ops.multiply(gradient, learningRate);
        m.assign(Ops.subtract(Ops.multiply(m.value(), momentum), step));
        if (nesterov) {
            variable.assignAdd(Ops.subtract(Ops.multiply(m.value(), momentum), step));
        } else {
            variable.assignAdd(m.value());
        }
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("momentum", momentum, "nesterov", nesterov));
    }

    /** Keras's SGD arguments. */
    public static final class Builder extends OptimizerBuilder<Builder> {
        private double momentum;
        private boolean nesterov;

        private Builder() {
            super(0.01, "SGD");
        }

        /** In {@code [0, 1]}. Defaults to {@code 0.0}. */
        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        /** Defaults to {@code false}. */
        public Builder nesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        public SGD build() {
            return new SGD(this);
        }
    }
}
