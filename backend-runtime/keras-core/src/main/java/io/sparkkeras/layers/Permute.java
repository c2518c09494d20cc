package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.Arrays;
import java.util.Map;

/**
 * Permutes the non-batch axes of the input: output axis {@code i + 1} is input axis {@code dims[i]}, counting from
 * 1. Keras's {@code Permute}.
 *
 * <p>Input shape: {@code (batch_size, d1, ..., dn)} with {@code n = dims.length}. Output shape: {@code (batch_size,
 * d[dims[0]], ..., d[dims[n-1]])}.
 *
 * <pre>{@code
 * Permute swap = new Permute(2, 1);   // (batch, 10, 64) -> (batch, 64, 10)
 * }</pre>
 */
public final class Permute extends Layer {
    private final int[] dims;

    /** @param dims a permutation of {@code 1..n}; the batch axis 0 is never moved */
    public Permute(int... dims) {
        this(dims, null);
    }

    public Permute(int[] dims, String name) {
        super(name);
        int[] sorted = dims.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] != i + 1) {
                throw new IllegalArgumentException("Received an invalid value for `dims`, expected a permutation of "
                        + "consecutive axes starting from 1. Received: dims=" + Arrays.toString(dims));
            }
        }
        this.dims = dims.clone();
        setInputSpec(InputSpec.ndim(dims.length + 1));
    }

    public int[] dims() {
        return dims.clone();
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        int[] perm = new int[dims.length + 1];
        System.arraycopy(dims, 0, perm, 1, dims.length);
        return Ops.transpose(inputs, perm);
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        long[] out = new long[dims.length + 1];
        out[0] = inputShape.get(0);
        for (int i = 0; i < dims.length; i++) {
            out[i + 1] = inputShape.get(dims[i]);
        }
        return Shape.of(out);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("dims", Configs.list(dims)));
    }

    public static Permute fromConfig(Map<String, Object> c) {
        Permute p = new Permute(Configs.toInts("dims", c.get("dims"), 1), (String) c.get("name"));
        p.setTrainable(Configs.getBoolean(c, "trainable", true));
        return p;
    }
}
