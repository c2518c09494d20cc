package io.sparkkeras.initializers;

import io.sparkkeras.utils.Configs;

import java.util.Map;

/** He uniform, limit {@code sqrt(6 / fan_in)}. Keras id {@code "he_uniform"}. */
public final class HeUniform extends VarianceScaling {
    /** Unseeded: draws from the global generator. */
    public HeUniform() {
        this(null);
    }

    /** @param seed the seed, or {@code null}. Defaults to {@code null}. */
    public HeUniform(Long seed) {
        super(2.0, "fan_in", "uniform", seed);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.of("seed", seed());
    }
}
