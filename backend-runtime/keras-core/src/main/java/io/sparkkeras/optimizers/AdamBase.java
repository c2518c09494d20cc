package io.sparkkeras.optimizers;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.OptimizerKernels;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Adam update shared by {@link Adam} and {@link AdamW} (Keras's AdamW subclasses Adam), with Keras's update:
 * {@code m += (g - m)(1 - beta_1)}, {@code v += (g^2 - v)(1 - beta_2)},
 * {@code w -= lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon)}.
 */
abstract class AdamBase extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final boolean amsgrad;
    private final List<Variable> momentums = new ArrayList<>();
    private final List<Variable> velocities = new ArrayList<>();
    private final List<Variable> velocityHats = new ArrayList<>();
    /** The bias correction of the current step, shared by its variables (see {@link #updateStep}). */
    private Tensor beta1Power;
    private Tensor beta2Power;
    private Tensor alpha;

    AdamBase(Adam.AdamBuilder<?> b) {
        super(b.name, b.args);
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.epsilon = b.epsilon;
        this.amsgrad = b.amsgrad;
    }

    @Override
    protected void build(List<Variable> variables) {
        super.build(variables);
        for (Variable v : variables) {
            momentums.add(addVariableFromReference(v, "momentum"));
        }
        for (Variable v : variables) {
            velocities.add(addVariableFromReference(v, "velocity"));
        }
        if (amsgrad) {
            for (Variable v : variables) {
                velocityHats.add(addVariableFromReference(v, "velocity_hat"));
            }
        }
    }

    @Override
    protected void updateStep(Tensor gradient, Variable variable, Tensor learningRate) {
        int i = indexOf(variable);
        Variable m = momentums.get(i);
        Variable v = velocities.get(i);
        OptimizerKernels kernels = variable.backend().optimizerKernels();
        if (!amsgrad && hostFusedStep(kernels, gradient, variable, m, v)) {
            return;
        }
        if (i == 0 || beta1Power == null) {
            // The bias correction is shared by all variables of one step: compute it once, on the first.
            Tensor t = Ops.cast(Ops.add(iterationsValue(), Ops.scalar(1, DType.INT64)), DType.FLOAT32);
            beta1Power = Ops.power(Ops.scalar(beta1), t);
            beta2Power = Ops.power(Ops.scalar(beta2), t);
            alpha = null;
        }
        // A graph backend's fused kernel takes the bias correction as tensors, computed in the step (amsgrad has
        // no fused form there and keeps the composed math).
        if (!amsgrad && kernels.adam(gradient, variable, m, v, learningRate, beta1Power, beta2Power, beta1, beta2,
                epsilon)) {
            return;
        }
        if (alpha == null) {
            alpha = Ops.divide(Ops.multiply(learningRate, Ops.sqrt(Ops.subtract(1.0, beta2Power))),
                    Ops.subtract(1.0, beta1Power));
        }
        m.assignAdd(Ops.multiply(Ops.subtract(gradient, m.value()), 1 - beta1));
        v.assignAdd(Ops.multiply(Ops.subtract(Ops.square(gradient), v.value()), 1 - beta2));
        Tensor vv = v.value();
        if (amsgrad) {
            Variable vh = velocityHats.get(i);
            vh.assign(Ops.maximum(vh.value(), vv));
            vv = vh.value();
        }
        variable.assignSub(Ops.divide(Ops.multiply(m.value(), alpha), Ops.add(Ops.sqrt(vv), epsilon)));
    }

    /**
     * The same update as one fused kernel call, where an eager backend has one (torch): a dozen small ops and their
     * temporaries per variable become one native call. The bias correction is computed on the host from the host
     * step count, which an eager backend keeps exact.
     */
    private boolean hostFusedStep(OptimizerKernels kernels, Tensor gradient, Variable variable, Variable m,
            Variable v) {
        double t = hostIterations() + 1;
        double a = hostLearningRate() * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
        return kernels.adam(gradient, variable, m, v, a, beta1, beta2, epsilon);
    }

    private Tensor iterationsValue() {
        return variables().get(0).value();
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("beta_1", beta1, "beta_2", beta2, "epsilon", epsilon,
                "amsgrad", amsgrad));
    }
}
