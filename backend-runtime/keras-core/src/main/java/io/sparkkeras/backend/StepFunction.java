package io.sparkkeras.backend;

import java.util.List;

/**
 * One step of training, evaluation or prediction written against {@link io.sparkkeras.ops.Ops}: tensors in,
 * tensors out, state in {@link Variable}s. An eager backend runs it as is; a graph backend traces it once per input
 * signature ({@link CoreOps#compile}).
 */
@FunctionalInterface
public interface StepFunction {
    List<Tensor> apply(List<Tensor> inputs);
}
