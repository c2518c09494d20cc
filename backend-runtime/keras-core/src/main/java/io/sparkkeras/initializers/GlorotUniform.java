package io.sparkkeras.initializers;

import io.sparkkeras.utils.Configs;

import java.util.Map;

/** Glorot uniform, limit {@code sqrt(6 / (fan_in + fan_out))}. Keras id {@code "glorot_uniform"}. */
public final class GlorotUniform extends VarianceScaling {
    /** Unseeded: draws from the global generator. */
    public GlorotUniform() {
        this(null);
    }

    /** @param seed the seed, or {@code null}. Defaults to {@code null}. */
    public GlorotUniform(Long seed) {
        super(1.0, "fan_avg", "uniform", seed);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.of("seed", seed());
    }
}
