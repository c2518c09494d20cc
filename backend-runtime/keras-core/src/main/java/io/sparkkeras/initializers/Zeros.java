package io.sparkkeras.initializers;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.NdArray;

import java.util.Map;

/** Initializes to 0. Keras id {@code "zeros"}. */
public final class Zeros implements Initializer {
    @Override
    public NdArray call(Shape shape, DType dtype) {
        return NdArray.zeros(dtype, shape);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Map.of();
    }
}
