package io.sparkkeras.backend;

/**
 * Fused optimizer updates a backend may offer, as Keras's torch backend has its own optimizer classes
 * ({@code backend/torch/optimizers}). Each method returns {@code false} when the backend has no such kernel (or
 * cannot run it here); the optimizer then tries the next form and finally runs its generic {@code Ops} math. Every
 * kernel does Keras's math exactly, so which path ran never shows in the numbers beyond float rounding.
 *
 * <p>Two forms, tried in this order:
 * <ul>
 *   <li><b>Host numbers</b> ({@link #adam(Tensor, Variable, Variable, Variable, double, double, double, double)}):
 *   the step-dependent numbers (learning rate, bias correction) computed on the host each step. For an eager
 *   backend; a graph backend returns {@code false}, since host numbers passed while tracing would be frozen into
 *   the traced step.</li>
 *   <li><b>Tensor numbers</b> ({@link #adam(Tensor, Variable, Variable, Variable, Tensor, Tensor, Tensor, double,
 *   double, double)}, {@link #gradientDescent}, {@link #momentum}): the step-dependent numbers as scalar tensors
 *   computed by the step itself, so a traced step computes them anew on each run. Constants of the optimizer's
 *   config stay host numbers.</li>
 * </ul>
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

    /**
     * One Adam step in place, Keras 3's {@code Adam.update_step} without amsgrad:
     * {@code m += (g - m)(1 - b1)}, {@code v += (g^2 - v)(1 - b2)},
     * {@code w -= m * alpha / (sqrt(v) + epsilon)} with {@code alpha = lr * sqrt(1 - b2^t) / (1 - b1^t)}.
     *
     * @param learningRate the step's learning rate, a scalar
     * @param beta1Power {@code b1^t} with {@code t = iterations + 1}, a scalar
     * @param beta2Power {@code b2^t}, a scalar
     * @return false if not supported here
     */
    default boolean adam(Tensor gradient, Variable variable, Variable m, Variable v, Tensor learningRate,
            Tensor beta1Power, Tensor beta2Power, double beta1, double beta2, double epsilon) {
        return false;
    }

    /**
     * One plain gradient-descent step in place, Keras's {@code SGD} without momentum: {@code w -= g * lr}.
     *
     * @param learningRate the step's learning rate, a scalar
     * @return false if not supported here
     */
    default boolean gradientDescent(Tensor gradient, Variable variable, Tensor learningRate) {
        return false;
    }

    /**
     * One momentum step in place, Keras's {@code SGD} with {@code momentum > 0}: {@code m = m * momentum - g * lr},
     * then {@code w += m}, or with Nesterov {@code w += m * momentum - g * lr}.
     *
     * @param learningRate the step's learning rate, a scalar
     * @return false if not supported here
     */
    default boolean momentum(Tensor gradient, Variable variable, Variable m, Tensor learningRate, double momentum,
            boolean nesterov) {
        return false;
    }
}
