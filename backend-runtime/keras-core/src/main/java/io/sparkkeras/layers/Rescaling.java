package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * Rescales inputs: {@code output = input * scale + offset}. Integer inputs are cast to float32 first. Keras's
 * {@code Rescaling}, with scalar {@code scale} and {@code offset}.
 *
 * <p>Input shape: any. Output shape: the same.
 *
 * <pre>{@code
 * Rescaling toUnit = new Rescaling(1.0 / 255);           // [0, 255] -> [0, 1]
 * Rescaling toSigned = new Rescaling(1.0 / 127.5, -1);  // [0, 255] -> [-1, 1]
 * }</pre>
 */
public final class Rescaling extends Layer {
    private final double scale;
    private final double offset;

    /** @param scale the factor inputs are multiplied by */
    public Rescaling(double scale) {
        this(scale, 0.0, null);
    }

    /**
     * @param scale  the factor inputs are multiplied by
     * @param offset added after scaling. Defaults to {@code 0.0}.
     */
    public Rescaling(double scale, double offset) {
        this(scale, offset, null);
    }

    public Rescaling(double scale, double offset, String name) {
        super(name);
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("Received an invalid value for `scale`, expected a finite number. "
                    + "Received: scale=" + scale);
        }
        if (!Double.isFinite(offset)) {
            throw new IllegalArgumentException("Received an invalid value for `offset`, expected a finite number. "
                    + "Received: offset=" + offset);
        }
        this.scale = scale;
        this.offset = offset;
    }

    public double scale() {
        return scale;
    }

    public double offset() {
        return offset;
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        Tensor x = inputs.dtype().isFloatingPoint() ? inputs : Ops.cast(inputs, dtype());
        return Ops.add(Ops.multiply(x, scale), offset);
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        return inputShape;
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("scale", scale, "offset", offset));
    }

    public static Rescaling fromConfig(Map<String, Object> c) {
        Rescaling r = new Rescaling(number(c, "scale"), c.get("offset") == null ? 0.0 : number(c, "offset"),
                (String) c.get("name"));
        r.setTrainable(Configs.getBoolean(c, "trainable", true));
        return r;
    }

    private static double number(Map<String, Object> c, String key) {
        if (!(c.get(key) instanceof Number)) {
            throw new IllegalArgumentException("Only a scalar `" + key + "` is supported. Received: " + key + "="
                    + c.get(key));
        }
        return Configs.getDouble(c, key);
    }
}
