package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.OptimizerKernels;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import org.tensorflow.Output;

import java.util.List;

/**
 * TensorFlow's fused training ops, traced as one op per variable where Keras's math would be a dozen element-wise
 * ops: {@code ResourceApplyAdam}, {@code ResourceApplyGradientDescent} and {@code ResourceApplyKerasMomentum} ({@code m = m momentum - g lr}, then {@code w += m}
 * or, with Nesterov, {@code w += m momentum - g lr}, as Keras's SGD). Each
 * computes exactly Keras 3's update (TensorFlow's CPU kernels: {@code m += (g - m)(1 - b1)},
 * {@code v += (g^2 - v)(1 - b2)}, {@code w -= m * alpha / (sqrt(v) + epsilon)} with
 * {@code alpha = lr sqrt(1 - b2^t) / (1 - b1^t)}; Keras's Adam adds {@code epsilon} to the uncorrected
 * {@code sqrt(v)} too, its "epsilon hat"). The step-dependent inputs are tensors of the trace, so the traced step
 * computes them per run.
 *
 * <p>Only inside a trace: resource variables live in the backend's session, and outside a trace the optimizer's
 * composed math runs eagerly and assigns the result. The host-number Adam is not offered (it would be frozen).
 */
final class TfOptimizerKernels implements OptimizerKernels {
    private final TfBackend b;

    TfOptimizerKernels(TfBackend b) {
        this.b = b;
    }

    @Override
    public boolean adam(Tensor gradient, Variable variable, Variable m, Variable v, Tensor learningRate,
            Tensor beta1Power, Tensor beta2Power, double beta1, double beta2, double epsilon) {
        TfTrace tr = b.trace();
        if (tr == null) {
            return false;
        }
        TfVariable w = storage(tr, variable);
        TfVariable mv = storage(tr, m);
        TfVariable vv = storage(tr, v);
        DType dt = w.dtype();
        tr.updateAll(List.of(w, mv, vv), "ResourceApplyAdam", null, w.handle(), mv.handle(), vv.handle(),
                in(tr, beta1Power, dt), in(tr, beta2Power, dt), in(tr, learningRate, dt), constant(tr, beta1, dt),
                constant(tr, beta2, dt), constant(tr, epsilon, dt), in(tr, gradient, dt));
        return true;
    }

    @Override
    public boolean gradientDescent(Tensor gradient, Variable variable, Tensor learningRate) {
        TfTrace tr = b.trace();
        if (tr == null) {
            return false;
        }
        TfVariable w = storage(tr, variable);
        DType dt = w.dtype();
        tr.updateAll(List.of(w), "ResourceApplyGradientDescent", null, w.handle(), in(tr, learningRate, dt),
                in(tr, gradient, dt));
        return true;
    }

    @Override
    public boolean momentum(Tensor gradient, Variable variable, Variable m, Tensor learningRate, double momentum,
            boolean nesterov) {
        TfTrace tr = b.trace();
        if (tr == null) {
            return false;
        }
        TfVariable w = storage(tr, variable);
        TfVariable mv = storage(tr, m);
        DType dt = w.dtype();
        tr.updateAll(List.of(w, mv), "ResourceApplyKerasMomentum",
                ob -> ob.setAttr("use_nesterov", nesterov), w.handle(), mv.handle(), in(tr, learningRate, dt),
                in(tr, gradient, dt), constant(tr, momentum, dt));
        return true;
    }

    /**
     * The resource variable behind {@code v}, found through its traced read; a read made only for this (a slot the
     * step has not read) is released, so the step does not run it.
     */
    private static TfVariable storage(TfTrace tr, Variable v) {
        TfTensor read = Tf.t(v.value());
        TfVariable s = read.source();
        if (s == null) {
            throw new IllegalStateException("Variable '" + v.path() + "' has no TensorFlow resource in this trace");
        }
        tr.releaseUnusedRead(s, read.symbolicOutput());
        return s;
    }

    private Output<?> in(TfTrace tr, Tensor x, DType dt) {
        return b.cast(tr.resolve(Tf.t(x)), dt);
    }

    private static Output<?> constant(TfTrace tr, double value, DType dt) {
        return tr.resolve(tr.scalar(value, dt));
    }
}
