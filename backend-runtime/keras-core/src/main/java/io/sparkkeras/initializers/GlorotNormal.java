package io.sparkkeras.initializers;

import io.sparkkeras.utils.Configs;

import java.util.Map;

/** Glorot normal, stddev {@code sqrt(2 / (fan_in + fan_out))}. Keras id {@code "glorot_normal"}. */
public final class GlorotNormal extends VarianceScaling {
    /** Unseeded: draws from the global generator. */
    public GlorotNormal() {
        this(null);
    }

    /** @param seed the seed, or {@code null}. Defaults to {@code null}. */
    public GlorotNormal(Long seed) {
        super(1.0, "fan_avg", "truncated_normal", seed);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.of("seed", seed());
    }
}
