package io.sparkkeras.optimizers;

import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Adagrad: per-parameter rates scaled by the accumulated squared gradients. Keras's {@code Adagrad}, id
 * {@code "adagrad"}: {@code acc += g^2}, {@code w -= lr * g / sqrt(acc + epsilon)}, the accumulator starting at
 * {@code initial_accumulator_value}.
 *
 * <pre>{@code
 * Optimizer o = Adagrad.builder().learningRate(0.01).initialAccumulatorValue(0.1).build();
 * }</pre>
 */
public final class Adagrad extends Optimizer {
    private final double initialAccumulatorValue;
    private final double epsilon;
    private final List<Variable> accumulators = new ArrayList<>();

    /** Keras's defaults: {@code learning_rate=0.001}, {@code initial_accumulator_value=0.1}. */
    public Adagrad() {
        this(builder());
    }

    /** @param learningRate the fixed learning rate. Defaults to {@code 0.001}. */
    public Adagrad(double learningRate) {
        this(builder().learningRate(learningRate));
    }

    private Adagrad(Builder b) {
        super(b.name, b.args);
        if (!(b.initialAccumulatorValue >= 0)) {
            throw new IllegalArgumentException("Received an invalid value for `initial_accumulator_value`, expected "
                    + "a number >= 0. Received: initial_accumulator_value=" + b.initialAccumulatorValue);
        }
        this.initialAccumulatorValue = b.initialAccumulatorValue;
        this.epsilon = b.epsilon;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Rebuilds an Adagrad from {@link #getConfig()}. */
    public static Adagrad fromConfig(Map<String, Object> config) {
        Builder b = builder().commonConfig(config);
        b.initialAccumulatorValue = OptimizerBuilder.doubleOr(config, "initial_accumulator_value",
                b.initialAccumulatorValue);
        b.epsilon = OptimizerBuilder.doubleOr(config, "epsilon", b.epsilon);
        return b.build();
    }

    @Override
    protected void build(List<Variable> variables) {
        super.build(variables);
        for (Variable v : variables) {
            accumulators.add(addVariableFromReference(v, "accumulator", initialAccumulatorValue));
        }
    }

    @Override
    protected void updateStep(Tensor gradient, Variable variable, Tensor learningRate) {
        Variable acc = accumulators.get(indexOf(variable));
        acc.assignAdd(Ops.square(gradient));
        variable.assignSub(Ops.divide(Ops.multiply(gradient, learningRate), Ops.sqrt(Ops.add(acc.value(), epsilon))));
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("initial_accumulator_value", initialAccumulatorValue,
                "epsilon", epsilon));
    }

    /** Keras's Adagrad arguments. */
    public static final class Builder extends OptimizerBuilder<Builder> {
        private double initialAccumulatorValue = 0.1;
        private double epsilon = 1e-7;

        private Builder() {
            super(0.001, "adagrad");
        }

        /** Starting value of the accumulators. Defaults to {@code 0.1}. */
        public Builder initialAccumulatorValue(double v) {
            this.initialAccumulatorValue = v;
            return this;
        }

        /** Defaults to {@code 1e-7}. */
        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        public Adagrad build() {
            return new Adagrad(this);
        }
    }
}
