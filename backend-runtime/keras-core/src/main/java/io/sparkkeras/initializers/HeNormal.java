package io.sparkkeras.initializers;

import io.sparkkeras.utils.Configs;

import java.util.Map;

/** He normal, stddev {@code sqrt(2 / fan_in)}. Keras id {@code "he_normal"}. */
public final class HeNormal extends VarianceScaling {
    /** Unseeded: draws from the global generator. */
    public HeNormal() {
        this(null);
    }

    /** @param seed the seed, or {@code null}. Defaults to {@code null}. */
    public HeNormal(Long seed) {
        super(2.0, "fan_in", "truncated_normal", seed);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.of("seed", seed());
    }
}
