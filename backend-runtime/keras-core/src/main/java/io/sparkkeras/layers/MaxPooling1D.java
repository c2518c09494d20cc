package io.sparkkeras.layers;

import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * 1D max pooling over windows of {@code pool_size}, moved by {@code strides} (default: the pool size).
 * Keras's {@code MaxPooling1D}.
 *
 * <p>Input shape: {@code (batch_size, steps, channels)}. Output shape: the spatial axes shrink as a convolution's would; channels stay.
 *
 * <pre>{@code
 * MaxPooling1D pool = new MaxPooling1D(2);
 * MaxPooling1D same = new MaxPooling1D(new int[] {3}, new int[] {2}, "same");
 * }</pre>
 */
public final class MaxPooling1D extends BasePooling {

    /** A square window of {@code poolSize}, stride {@code poolSize}, {@code "valid"} padding. */
    public MaxPooling1D(int poolSize) {
        this(new int[] {poolSize}, null, "valid", null);
    }

    /**
     * @param poolSize window per spatial axis. Defaults to {@code 2}.
     * @param strides  step per spatial axis, or {@code null} for {@code poolSize}. Defaults to {@code null}.
     * @param padding  {@code "valid"} or {@code "same"}. Defaults to {@code "valid"}.
     */
    public MaxPooling1D(int[] poolSize, int[] strides, String padding) {
        this(poolSize, strides, padding, null);
    }

    public MaxPooling1D(int[] poolSize, int[] strides, String padding, String name) {
        super(poolSize, strides, padding, true, name);
    }

    public static MaxPooling1D fromConfig(Map<String, Object> c) {
        MaxPooling1D p = new MaxPooling1D(poolSize(c, 1), strides(c, 1), Configs.getString(c, "padding", "valid"),
                (String) c.get("name"));
        p.setTrainable(Configs.getBoolean(c, "trainable", true));
        return p;
    }
}
