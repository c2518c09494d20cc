package io.sparkkeras.backend;

/**
 * Fused optimizer updates an eager backend may offer, as Keras's torch backend has its own optimizer classes
 * ({@code backend/torch/optimizers}). Each method returns {@code false} when the backend has no such kernel; the
 * optimizer then runs its generic {@code Ops} math. A graph backend returns {@code false} everywhere, since host
 * values passed here would be frozen into the traced graph.
 */
public interface OptimizerKernels {

    /**
     * One Adam step in place: {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g^2},
     * {@code w -= alpha * m / (sqrt(v) + epsilon)}.
     *
     * @param alpha the learning rate with Adam's bias correction, {@code lr * sqrt(1 - b2^t) / (1 - b1^t)}
     * @return false if not supported here
     */
    default boolean adam(Tensor gradient, Variable variable, Variable m, Variable v, double alpha, double beta1,
            double beta2, double epsilon) {
        return false;
    }
}
