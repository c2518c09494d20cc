package io.sparkkeras.initializers;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.Configs;
import io.sparkkeras.utils.NdArray;

import java.nio.ByteBuffer;
import java.util.Map;

/** Initializes every element to {@code value}. Keras id {@code "constant"}. */
public class Constant implements Initializer {
    private final double value;

    /** @param value the fill value. Defaults to {@code 0.0}. */
    public Constant(double value) {
        this.value = value;
    }

    public double value() {
        return value;
    }

    @Override
    public NdArray call(Shape shape, DType dtype) {
        NdArray out = NdArray.zeros(dtype, shape);
        if (value != 0) {
            ByteBuffer b = out.buffer();
            for (long i = 0; i < shape.size(); i++) {
                HostRandom.put(b, dtype, value);
            }
        }
        return out;
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.of("value", value);
    }
}
