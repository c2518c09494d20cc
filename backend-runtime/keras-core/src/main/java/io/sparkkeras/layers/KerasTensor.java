package io.sparkkeras.layers;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;

/**
 * A symbolic tensor for the functional API: a shape (batch dimension unknown), a dtype and the layer call that
 * produced it. No engine is involved; shapes come from each layer's {@code computeOutputShape}.
 *
 * <pre>{@code
 * KerasTensor inputs = Input.of(784);
 * KerasTensor h = new Dense(64, "relu").apply(inputs);
 * KerasTensor outputs = new Dense(10).apply(h);
 * Model model = new Model(inputs, outputs);
 * }</pre>
 */
public final class KerasTensor {
    private final Shape shape;
    private final DType dtype;
    private final Node node;
    private final int index;
    private final String name;

    KerasTensor(Shape shape, DType dtype, Node node, int index, String name) {
        this.shape = shape;
        this.dtype = dtype;
        this.node = node;
        this.index = index;
        this.name = name;
    }

    public Shape shape() {
        return shape;
    }

    public DType dtype() {
        return dtype;
    }

    /** The layer call that made this tensor; for an input, the {@link InputLayer}'s node. */
    public Node node() {
        return node;
    }

    /** Which output of its node this is. */
    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "<KerasTensor shape=" + shape + ", dtype=" + dtype + ", name=" + name + ">";
    }
}
