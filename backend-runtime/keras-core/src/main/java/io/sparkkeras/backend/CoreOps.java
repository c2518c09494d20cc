package io.sparkkeras.backend;

import io.sparkkeras.utils.NdArray;

import java.util.List;
import java.util.function.Supplier;

/**
 * Tensors, variables, scopes, gradients and compiled steps: what each Keras backend's {@code core.py} and
 * {@code trainer.py} provide.
 */
public interface CoreOps {

    /** A tensor holding a copy of a host array, owned by the current scope. */
    Tensor convert(NdArray array);

    /** A host copy of a tensor's values. */
    NdArray toNdArray(Tensor t);

    /** A scalar tensor. */
    Tensor scalar(double value, DType dtype);

    Tensor cast(Tensor x, DType dtype);

    /** {@code x} with no gradient flowing back through it. */
    Tensor stopGradient(Tensor x);

    /** Storage for a variable, initialised from {@code initialValue}; owned by the caller. */
    VariableState newVariable(String path, NdArray initialValue, boolean trainable);

    /**
     * Host copies of several variables of this backend, in order. A graph backend reads them in one run (one run
     * per variable would cost one executor each); the default reads them one by one.
     */
    default List<NdArray> readVariables(List<VariableState> variables) {
        List<NdArray> r = new java.util.ArrayList<>(variables.size());
        for (VariableState v : variables) {
            r.add(v.read());
        }
        return r;
    }

    /**
     * Assigns host values to several variables of this backend (shapes already checked). A graph backend assigns
     * them in one run; the default assigns them one by one.
     */
    default void assignVariables(List<VariableState> variables, List<NdArray> values) {
        for (int i = 0; i < variables.size(); i++) {
            variables.get(i).assign(values.get(i));
        }
    }

    /** Opens a scope on this thread; tensors made until it closes belong to it. */
    Scope newScope();

    /**
     * Runs {@code fn} and differentiates its scalar result with respect to {@code variables}.
     *
     * @param fn        computes a scalar loss from the variables' current values
     * @param variables trainable variables
     */
    GradientResult valueAndGrad(Supplier<Tensor> fn, List<Variable> variables);

    /**
     * Makes {@code fn} ready to run many times: an eager backend returns it unchanged; a graph backend traces it
     * once per input signature. {@code jitCompile} asks for XLA where the backend has it.
     */
    StepFunction compile(String name, StepFunction fn, boolean jitCompile);

    /** Seeds the engine's own generator (dropout masks). */
    void setSeed(long seed);
}
