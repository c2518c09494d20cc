package io.sparkkeras.layers;

import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * 2D max pooling over windows of {@code pool_size}, moved by {@code strides} (default: the pool size).
 * Keras's {@code MaxPooling2D}.
 *
 * <p>Input shape: {@code (batch_size, height, width, channels)}. Output shape: the spatial axes shrink as a convolution's would; channels stay.
 *
 * <pre>{@code
 * MaxPooling2D pool = new MaxPooling2D(2);
 * MaxPooling2D same = new MaxPooling2D(new int[] {3, 3}, new int[] {2, 2}, "same");
 * }</pre>
 */
public final class MaxPooling2D extends BasePooling {

    /** A square window of {@code poolSize}, stride {@code poolSize}, {@code "valid"} padding. */
    public MaxPooling2D(int poolSize) {
        this(new int[] {poolSize, poolSize}, null, "valid", null);
    }

    /**
     * @param poolSize window per spatial axis. Defaults to {@code 2}.
     * @param strides  step per spatial axis, or {@code null} for {@code poolSize}. Defaults to {@code null}.
     * @param padding  {@code "valid"} or {@code "same"}. Defaults to {@code "valid"}.
     */
    public MaxPooling2D(int[] poolSize, int[] strides, String padding) {
        this(poolSize, strides, padding, null);
    }

    public MaxPooling2D(int[] poolSize, int[] strides, String padding, String name) {
        super(poolSize, strides, padding, true, name);
    }

    public static MaxPooling2D fromConfig(Map<String, Object> c) {
        MaxPooling2D p = new MaxPooling2D(poolSize(c, 2), strides(c, 2), Configs.getString(c, "padding", "valid"),
                (String) c.get("name"));
        p.setTrainable(Configs.getBoolean(c, "trainable", true));
        return p;
    }
}
