package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.List;
import java.util.Map;

/**
 * Concatenates a list of inputs along {@code axis}. Keras's {@code Concatenate}.
 *
 * <p>Input shape: a list of shapes of equal rank, equal except on {@code axis}. Output shape: the same, with
 * {@code axis} the sum of the inputs' sizes on it.
 *
 * <pre>{@code
 * KerasTensor both = new Concatenate().apply(x1, x2);   // along the last axis
 * }</pre>
 */
public final class Concatenate extends Merge {
    private final int axis;

    /** Concatenates along the last axis. */
    public Concatenate() {
        this(-1, null);
    }

    /** @param axis the axis to concatenate along. Defaults to {@code -1}. */
    public Concatenate(int axis) {
        this(axis, null);
    }

    public Concatenate(int axis, String name) {
        super(name);
        this.axis = axis;
    }

    public int axis() {
        return axis;
    }

    @Override
    protected void build(List<Shape> inputShapes) {
        computeOutputShape(inputShapes);
    }

    @Override
    protected Tensor call(List<Tensor> inputs, boolean training) {
        return merge(inputs);
    }

    @Override
    protected Tensor merge(List<Tensor> inputs) {
        return Ops.concatenate(inputs, axis);
    }

    @Override
    public Shape computeOutputShape(List<Shape> inputShapes) {
        Shape first = inputShapes.get(0);
        int rank = first.rank();
        if (axis >= rank || axis < -rank) {
            throw new IllegalArgumentException("Received an invalid value for `axis`, expected an axis of inputs of "
                    + "rank " + rank + ". Received: axis=" + axis + " in layer '" + name() + "'");
        }
        int a = axis < 0 ? axis + rank : axis;
        long[] out = first.dims();
        for (int i = 1; i < inputShapes.size(); i++) {
            Shape s = inputShapes.get(i);
            boolean ok = s.rank() == rank;
            for (int d = 0; ok && d < rank; d++) {
                long x = s.get(d);
                if (d == a) {
                    out[d] = out[d] == Shape.UNKNOWN || x == Shape.UNKNOWN ? Shape.UNKNOWN : out[d] + x;
                } else if (out[d] == Shape.UNKNOWN) {
                    out[d] = x;
                } else {
                    ok = x == Shape.UNKNOWN || x == out[d];
                }
            }
            if (!ok) {
                throw new IllegalArgumentException("A `Concatenate` layer requires inputs with matching shapes "
                        + "except for the concatenation axis. Received: input_shape=" + inputShapes);
            }
        }
        return Shape.of(out);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("axis", axis));
    }

    public static Concatenate fromConfig(Map<String, Object> c) {
        Concatenate layer = new Concatenate(Configs.getInt(c, "axis", -1), (String) c.get("name"));
        layer.setTrainable(Configs.getBoolean(c, "trainable", true));
        return layer;
    }
}
