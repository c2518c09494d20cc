package io.sparkkeras.initializers;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.Configs;
import io.sparkkeras.utils.NdArray;

import java.util.Map;

/** Normal values redrawn when more than two standard deviations out. Keras id {@code "truncated_normal"}. */
public final class TruncatedNormal implements Initializer {
    private final double mean;
    private final double stddev;
    private final Long seed;

    /** Keras's defaults: {@code mean=0.0, stddev=0.05}, no seed. */
    public TruncatedNormal() {
        this(0.0, 0.05, null);
    }

    public TruncatedNormal(double mean, double stddev, Long seed) {
        this.mean = mean;
        this.stddev = stddev;
        this.seed = seed;
    }

    @Override
    public NdArray call(Shape shape, DType dtype) {
        return HostRandom.normal(shape, dtype, mean, stddev, true, seed);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.of("mean", mean, "stddev", stddev, "seed", seed);
    }
}
