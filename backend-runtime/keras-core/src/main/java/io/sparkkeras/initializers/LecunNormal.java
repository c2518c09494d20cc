package io.sparkkeras.initializers;

import io.sparkkeras.utils.Configs;

import java.util.Map;

/** LeCun normal, stddev {@code sqrt(1 / fan_in)}. Keras id {@code "lecun_normal"}. */
public final class LecunNormal extends VarianceScaling {
    /** Unseeded: draws from the global generator. */
    public LecunNormal() {
        this(null);
    }

    /** @param seed the seed, or {@code null}. Defaults to {@code null}. */
    public LecunNormal(Long seed) {
        super(1.0, "fan_in", "truncated_normal", seed);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.of("seed", seed());
    }
}
