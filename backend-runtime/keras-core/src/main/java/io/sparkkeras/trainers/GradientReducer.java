package io.sparkkeras.trainers;

import io.sparkkeras.backend.Tensor;

import java.util.List;

/**
 * Combines gradients across data-parallel workers between the backward pass and the optimizer step (an allreduce
 * that averages them). Set with {@code Model.setGradientReducer}; runs on the training thread, once per step.
 */
@FunctionalInterface
public interface GradientReducer {
    /** Returns the reduced gradients, one per input gradient, same shapes. */
    List<Tensor> reduce(List<Tensor> gradients);
}
