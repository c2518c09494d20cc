package io.sparkkeras.backend;

import io.sparkkeras.initializers.Initializer;
import io.sparkkeras.utils.NdArray;

import java.util.ArrayList;
import java.util.List;

/**
 * A named, stateful tensor: a layer's weight, an optimizer's slot, a metric's running total. Keras's
 * {@code keras.Variable}.
 *
 * <p>Its storage lives in the backend outside every step scope and is freed by {@link #close()}, which the owning
 * layer or optimizer calls. Assignments happen on the training thread only.
 *
 * <pre>{@code
 * Variable v = new Variable("dense/kernel", Shape.of(784, 10), DType.FLOAT32, Initializers.get("glorot_uniform"), true);
 * Tensor w = v.value();
 * v.assignSub(Ops.multiply(grad, 0.01));
 * }</pre>
 */
public final class Variable implements AutoCloseable {
    private final String path;
    private final Shape shape;
    private final DType dtype;
    private final Backend backend;
    private boolean trainable;
    private VariableState state;

    /**
     * @param path        Keras's variable path, {@code "<layer>/<name>"}
     * @param initializer makes the initial value on the host
     */
    public Variable(String path, Shape shape, DType dtype, Initializer initializer, boolean trainable) {
        this(path, initializer.call(shape, dtype), trainable);
    }

    /** A variable holding a copy of {@code initialValue}. */
    public Variable(String path, NdArray initialValue, boolean trainable) {
        this.path = path;
        this.shape = initialValue.shape();
        this.dtype = initialValue.dtype();
        this.backend = Backends.current();
        this.trainable = trainable;
        this.state = backend.core().newVariable(path, initialValue, trainable);
    }

    /** Keras's path, {@code "dense/kernel"}. */
    public String path() {
        return path;
    }

    /** The last part of the path, {@code "kernel"}. */
    public String name() {
        int i = path.lastIndexOf('/');
        return i < 0 ? path : path.substring(i + 1);
    }

    public Shape shape() {
        return shape;
    }

    public DType dtype() {
        return dtype;
    }

    public Backend backend() {
        return backend;
    }

    public boolean trainable() {
        return trainable;
    }

    public void setTrainable(boolean trainable) {
        this.trainable = trainable;
    }

    /** The current value; valid until the next assignment, never to be closed by the caller. */
    public Tensor value() {
        return state().value();
    }

    public void assign(Tensor value) {
        checkShape(value);
        state().assign(value);
    }

    public void assign(NdArray value) {
        if (!value.shape().equals(shape)) {
            throw new IllegalArgumentException("Cannot assign a value of shape " + value.shape()
                    + " to variable '" + path + "' of shape " + shape);
        }
        state().assign(value);
    }

    public void assignAdd(Tensor delta) {
        checkShape(delta);
        state().assignAdd(delta);
    }

    public void assignSub(Tensor delta) {
        checkShape(delta);
        state().assignSub(delta);
    }

    /** A host copy of the value. */
    public NdArray numpy() {
        return state().read();
    }

    /**
     * Host copies of {@code variables}, in order: what {@link #numpy()} gives for each, read together where the
     * backend can (TensorFlow: one session run).
     *
     * <pre>{@code
     * List<NdArray> values = Variable.numpy(model.weights());
     * }</pre>
     */
    public static List<NdArray> numpy(List<Variable> variables) {
        return numpyOf(variables);
    }

    /**
     * Assigns {@code values} to {@code variables}, in order: what {@link #assign(NdArray)} does for each, together
     * where the backend can (TensorFlow: one session run).
     *
     * <pre>{@code
     * Variable.assign(model.weights(), savedValues);
     * }</pre>
     */
    public static void assign(List<Variable> variables, List<NdArray> values) {
        if (variables.size() != values.size()) {
            throw new IllegalArgumentException(variables.size() + " variables but " + values.size()
                    + " values were given");
        }
        if (variables.isEmpty()) {
            return;
        }
        Backend b = variables.get(0).backend;
        List<VariableState> states = new ArrayList<>(variables.size());
        for (int i = 0; i < variables.size(); i++) {
            Variable v = variables.get(i);
            NdArray value = values.get(i);
            if (!value.shape().equals(v.shape)) {
                throw new IllegalArgumentException("Cannot assign a value of shape " + value.shape()
                        + " to variable '" + v.path + "' of shape " + v.shape);
            }
            if (v.backend != b) {
                // Variables of several backends: each assigns its own.
                for (int j = 0; j < variables.size(); j++) {
                    variables.get(j).assign(values.get(j));
                }
                return;
            }
            states.add(v.state());
        }
        b.core().assignVariables(states, values);
    }

    private static List<NdArray> numpyOf(List<Variable> variables) {
        if (variables.isEmpty()) {
            return List.of();
        }
        Backend b = variables.get(0).backend;
        List<VariableState> states = new ArrayList<>(variables.size());
        for (Variable v : variables) {
            if (v.backend != b) {
                // Variables of several backends: each reads its own.
                List<NdArray> r = new ArrayList<>(variables.size());
                for (Variable w : variables) {
                    r.add(w.numpy());
                }
                return r;
            }
            states.add(v.state());
        }
        return b.core().readVariables(states);
    }

    private void checkShape(Tensor t) {
        if (!t.shape().equals(shape)) {
            throw new IllegalArgumentException("Cannot assign a value of shape " + t.shape()
                    + " to variable '" + path + "' of shape " + shape);
        }
    }

    private VariableState state() {
        if (state == null) {
            throw new IllegalStateException("Variable '" + path + "' is closed");
        }
        return state;
    }

    /** Frees the backend storage; idempotent. */
    @Override
    public void close() {
        if (state != null) {
            state.close();
            state = null;
        }
    }

    @Override
    public String toString() {
        return "<Variable path=" + path + ", shape=" + shape + ", dtype=" + dtype + ">";
    }
}
