package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.Arrays;
import java.util.Map;

/**
 * Reshapes each sample to {@code target_shape}; the batch axis stays. One entry may be {@code -1}, inferred from
 * the sample's size. Keras's {@code Reshape}.
 *
 * <p>Input shape: {@code (batch_size, ...)}, of the same size per sample as {@code target_shape}. Output shape:
 * {@code (batch_size, *target_shape)}.
 *
 * <pre>{@code
 * Reshape r = new Reshape(3, 4);     // (batch, 12) -> (batch, 3, 4)
 * Reshape s = new Reshape(-1, 2, 2); // (batch, 12) -> (batch, 3, 2, 2)
 * }</pre>
 */
public final class Reshape extends Layer {
    private final int[] targetShape;

    /** @param targetShape the per-sample shape, without the batch axis; at most one {@code -1} */
    public Reshape(int... targetShape) {
        this(targetShape, null);
    }

    public Reshape(int[] targetShape, String name) {
        super(name);
        int unknown = 0;
        for (int d : targetShape) {
            if (d < -1) {
                throw new IllegalArgumentException("Received an invalid value for `target_shape`, expected "
                        + "non-negative integers, or -1 for a single unknown dimension. Received: target_shape="
                        + Arrays.toString(targetShape));
            }
            unknown += d == -1 ? 1 : 0;
        }
        if (unknown > 1) {
            throw new IllegalArgumentException("Received an invalid value for `target_shape`, expected at most one "
                    + "unknown dimension (-1). Received: target_shape=" + Arrays.toString(targetShape));
        }
        this.targetShape = targetShape.clone();
    }

    public int[] targetShape() {
        return targetShape.clone();
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        Shape out = computeOutputShape(inputs.shape());
        long[] dims = out.dims();
        dims[0] = inputs.shape().get(0);
        return Ops.reshape(inputs, dims);
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        long[] out = new long[targetShape.length + 1];
        out[0] = inputShape.get(0);
        Shape sample = inputShape.dropFirst();
        long known = 1;
        int unknownAt = -1;
        for (int i = 0; i < targetShape.length; i++) {
            out[i + 1] = targetShape[i];
            if (targetShape[i] == -1) {
                unknownAt = i + 1;
            } else {
                known *= targetShape[i];
            }
        }
        if (!sample.isFullyDefined()) {
            return Shape.of(out);
        }
        long size = sample.size();
        if (unknownAt >= 0 && known != 0 && size % known == 0) {
            out[unknownAt] = size / known;
        } else if (unknownAt >= 0 || known != size) {
            throw new IllegalArgumentException("The total size of the tensor must be unchanged. Received: "
                    + "input_shape=" + sample + ", target_shape=" + Arrays.toString(targetShape)
                    + " in layer '" + name() + "'");
        }
        return Shape.of(out);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("target_shape", Configs.list(targetShape)));
    }

    public static Reshape fromConfig(Map<String, Object> c) {
        Object t = c.get("target_shape");
        Reshape r = new Reshape(Configs.toInts("target_shape", t, 1), (String) c.get("name"));
        r.setTrainable(Configs.getBoolean(c, "trainable", true));
        return r;
    }
}
