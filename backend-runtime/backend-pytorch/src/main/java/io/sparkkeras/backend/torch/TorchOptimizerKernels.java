package io.sparkkeras.backend.torch;

import ai.djl.ndarray.NDArray;
import io.sparkkeras.backend.OptimizerKernels;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;

/**
 * Adam on libtorch as in-place updates of the slots and the weight: Keras's exact sequence of float operations
 * ({@code m += (g - m)(1 - b1)}, not DJL's {@code m = b1 m + (1 - b1) g}, which rounds differently and, over a few
 * epochs, drifts past the backends' parity tolerance), without the per-op temporaries and variable copies of the
 * generic path.
 */
final class TorchOptimizerKernels implements OptimizerKernels {
    private final TorchBackend b;

    TorchOptimizerKernels(TorchBackend b) {
        this.b = b;
    }

    @Override
    public boolean adam(Tensor gradient, Variable variable, Variable m, Variable v, double alpha, double beta1,
            double beta2, double epsilon) {
        NDArray g = Torch.nd(gradient);
        NDArray w = Torch.nd(variable.value());
        NDArray mm = Torch.nd(m.value());
        NDArray vv = Torch.nd(v.value());
        mm.addi(scoped(g.sub(mm)).muli(Torch.number(b, mm, 1 - beta1)));
        vv.addi(scoped(g.square()).subi(vv).muli(Torch.number(b, vv, 1 - beta2)));
        // alpha changes every step: a fresh scalar, not one for the constant cache.
        NDArray a = TorchScope.current(b).manager().create((float) alpha);
        w.subi(scoped(mm.mul(a)).divi(scoped(vv.sqrt()).addi(Torch.number(b, vv, epsilon))));
        return true;
    }

    /** Temporaries of an op on a slot land in the slot's long-lived manager: move them to the step's scope. */
    private NDArray scoped(NDArray a) {
        TorchScope scope = TorchScope.current(b);
        if (a.getManager() != scope.manager()) {
            a.attach(scope.manager());
        }
        return a;
    }
}
