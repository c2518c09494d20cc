package io.sparkkeras.backend;

import java.util.List;

/**
 * What {@link CoreOps#valueAndGrad} returns: the value of the function and its gradient with respect to each
 * variable, in the variables' order. All tensors belong to the current scope.
 *
 * @param value     the function's value (a scalar loss)
 * @param gradients one per variable, same shape
 */
public record GradientResult(Tensor value, List<Tensor> gradients) {
}
