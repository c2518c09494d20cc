package io.sparkkeras.initializers;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.Configs;
import io.sparkkeras.utils.NdArray;

import java.util.Map;

/** Uniform values in {@code [minval, maxval)}. Keras id {@code "random_uniform"}. */
public final class RandomUniform implements Initializer {
    private final double minval;
    private final double maxval;
    private final Long seed;

    /** Keras's defaults: {@code minval=-0.05, maxval=0.05}, no seed. */
    public RandomUniform() {
        this(-0.05, 0.05, null);
    }

    public RandomUniform(double minval, double maxval, Long seed) {
        this.minval = minval;
        this.maxval = maxval;
        this.seed = seed;
    }

    @Override
    public NdArray call(Shape shape, DType dtype) {
        return HostRandom.uniform(shape, dtype, minval, maxval, seed);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.of("minval", minval, "maxval", maxval, "seed", seed);
    }
}
