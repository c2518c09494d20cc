package io.sparkkeras.metrics;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.initializers.Initializers;
import io.sparkkeras.utils.Configs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The base of every metric, as Keras's {@code keras.metrics.Metric}: state in variables, updated per batch by
 * {@link #updateState} (written against {@code Ops}, so it runs inside a traced step), read by {@link #result()},
 * cleared by {@link #resetState()} at each epoch.
 *
 * <p>Owned by the model that compiled it; its variables are freed by {@link #close()}.
 */
public abstract class Metric implements AutoCloseable {
    private final String name;
    private final List<Variable> variables = new ArrayList<>();

    protected Metric(String name) {
        this.name = name;
    }

    public final String name() {
        return name;
    }

    /** Keras's class name. */
    public String className() {
        return getClass().getSimpleName();
    }

    /**
     * Whether a larger value is better ({@code "up"}, accuracies), smaller is better ({@code "down"}, errors), or
     * unknown ({@code null}): Keras's {@code _direction}, read by callbacks in {@code mode="auto"}.
     */
    public String direction() {
        return null;
    }

    /** Creates a state variable, zero-initialised. */
    protected final Variable addVariable(String varName, Shape shape) {
        Variable v = new Variable(name + "/" + varName, shape, DType.FLOAT32, Initializers.get("zeros"), false);
        variables.add(v);
        return v;
    }

    public final List<Variable> variables() {
        return List.copyOf(variables);
    }

    /** Accumulates one batch. {@code sampleWeight} may be {@code null}. */
    public abstract void updateState(Tensor yTrue, Tensor yPred, Tensor sampleWeight);

    /** The metric's value from the accumulated state (read on the host). */
    public abstract double result();

    /** Zeroes the state. */
    public void resetState() {
        for (Variable v : variables) {
            v.assign(io.sparkkeras.utils.NdArray.zeros(v.dtype(), v.shape()));
        }
    }

    public Map<String, Object> getConfig() {
        return Configs.of("name", name, "dtype", "float32");
    }

    @Override
    public void close() {
        for (Variable v : variables) {
            v.close();
        }
    }
}
