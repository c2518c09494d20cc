package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;

import java.util.ArrayList;
import java.util.List;

/**
 * The shared body of the element-wise merge layers ({@link Add}, {@link Multiply}): Keras's {@code Merge}. A merge
 * layer is called on a list of tensors whose shapes broadcast against each other; inputs of lower rank get axes of
 * size 1 inserted after the batch axis first. Subclasses implement {@link #merge(List)}.
 */
public abstract class Merge extends Layer {

    protected Merge(String name) {
        super(name);
    }

    /** Combines inputs of equal rank. */
    protected abstract Tensor merge(List<Tensor> inputs);

    @Override
    protected void build(Shape inputShape) {
        throw new IllegalArgumentException("A merge layer should be called on a list of inputs. Layer '" + name()
                + "' received: input_shape=" + inputShape + " (not a list of shapes)");
    }

    @Override
    protected void build(List<Shape> inputShapes) {
        long batch = Shape.UNKNOWN;
        for (Shape s : inputShapes) {
            long b = s.rank() > 0 ? s.get(0) : Shape.UNKNOWN;
            if (b != Shape.UNKNOWN) {
                if (batch != Shape.UNKNOWN && batch != b) {
                    throw new IllegalArgumentException("Cannot merge tensors with different batch sizes. Received "
                            + "tensors with shapes " + inputShapes);
                }
                batch = b;
            }
        }
        computeOutputShape(inputShapes);
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        throw new IllegalArgumentException("A merge layer should be called on a list of inputs. Layer '" + name()
                + "' received one tensor of shape " + inputs.shape());
    }

    @Override
    protected Tensor call(List<Tensor> inputs, boolean training) {
        int maxRank = 0;
        for (Tensor x : inputs) {
            maxRank = Math.max(maxRank, x.shape().rank());
        }
        List<Tensor> same = new ArrayList<>(inputs.size());
        for (Tensor x : inputs) {
            for (int r = x.shape().rank(); r < maxRank; r++) {
                x = Ops.expandDims(x, 1);
            }
            same.add(x);
        }
        return merge(same);
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        return inputShape;
    }

    @Override
    public Shape computeOutputShape(List<Shape> inputShapes) {
        Shape out = inputShapes.get(0).dropFirst();
        long batch = inputShapes.get(0).get(0);
        for (int i = 1; i < inputShapes.size(); i++) {
            out = elementwiseShape(out, inputShapes.get(i).dropFirst());
            if (batch == Shape.UNKNOWN) {
                batch = inputShapes.get(i).get(0);
            }
        }
        return out.prepend(batch);
    }

    /** The broadcast of two per-sample shapes, aligned at the right; Keras's rule. */
    static Shape elementwiseShape(Shape a, Shape b) {
        if (a.rank() < b.rank()) {
            return elementwiseShape(b, a);
        }
        long[] out = a.dims();
        int offset = a.rank() - b.rank();
        for (int k = 0; k < b.rank(); k++) {
            long i = a.get(offset + k);
            long j = b.get(k);
            if (i == Shape.UNKNOWN || j == Shape.UNKNOWN) {
                out[offset + k] = Shape.UNKNOWN;
            } else if (i == 1) {
                out[offset + k] = j;
            } else if (j != 1 && i != j) {
                throw new IllegalArgumentException("Inputs have incompatible shapes. Received shapes " + a + " and "
                        + b);
            }
        }
        return Shape.of(out);
    }
}
