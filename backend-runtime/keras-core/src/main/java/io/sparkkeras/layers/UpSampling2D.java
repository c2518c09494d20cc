package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.Locale;
import java.util.Map;

/**
 * Repeats the rows and columns of an image {@code size[0]} and {@code size[1]} times (nearest-neighbour
 * upsampling). Keras's {@code UpSampling2D}, channels_last, {@code interpolation="nearest"} only.
 *
 * <p>Input shape: {@code (batch_size, rows, cols, channels)}. Output shape: {@code (batch_size, rows * size[0],
 * cols * size[1], channels)}.
 *
 * <pre>{@code
 * UpSampling2D twice = new UpSampling2D();                 // (batch, 4, 4, c) -> (batch, 8, 8, c)
 * UpSampling2D wide = new UpSampling2D(new int[] {1, 3});  // only the columns, three times
 * }</pre>
 */
public final class UpSampling2D extends Layer {
    private final int[] size;
    private final String interpolation;

    /** Doubles rows and columns. */
    public UpSampling2D() {
        this(2);
    }

    /** @param size the factor for rows and columns alike. Defaults to {@code 2}. */
    public UpSampling2D(int size) {
        this(new int[] {size, size}, "nearest", null);
    }

    /** @param size the factors for rows and columns. Defaults to {@code {2, 2}}. */
    public UpSampling2D(int[] size) {
        this(size, "nearest", null);
    }

    /** @param interpolation only {@code "nearest"} is supported. Defaults to {@code "nearest"}. */
    public UpSampling2D(int[] size, String interpolation, String name) {
        super(name);
        this.size = ConvUtils.positive("size", size, 2);
        String i = interpolation == null ? "nearest" : interpolation.toLowerCase(Locale.ROOT);
        if (!"nearest".equals(i)) {
            throw new IllegalArgumentException("Received an invalid value for `interpolation`, expected \"nearest\" "
                    + "(the only one supported yet). Received: interpolation=" + interpolation);
        }
        this.interpolation = i;
        setInputSpec(InputSpec.ndim(4));
    }

    public int[] size() {
        return size.clone();
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        Tensor x = size[0] == 1 ? inputs : Ops.repeat(inputs, size[0], 1);
        return size[1] == 1 ? x : Ops.repeat(x, size[1], 2);
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        long[] out = inputShape.dims();
        for (int i = 0; i < 2; i++) {
            if (out[i + 1] != Shape.UNKNOWN) {
                out[i + 1] *= size[i];
            }
        }
        return Shape.of(out);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of(
                "size", Configs.list(size),
                "data_format", "channels_last",
                "interpolation", interpolation));
    }

    public static UpSampling2D fromConfig(Map<String, Object> c) {
        ConvUtils.checkDataFormat(c);
        UpSampling2D u = new UpSampling2D(Configs.toInts("size", c.getOrDefault("size", 2), 2),
                Configs.getString(c, "interpolation", "nearest"), (String) c.get("name"));
        u.setTrainable(Configs.getBoolean(c, "trainable", true));
        return u;
    }
}
