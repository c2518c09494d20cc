package io.sparkkeras.initializers;

import io.sparkkeras.utils.Configs;

import java.util.Map;

/** LeCun uniform, limit {@code sqrt(3 / fan_in)}. Keras id {@code "lecun_uniform"}. */
public final class LecunUniform extends VarianceScaling {
    /** Unseeded: draws from the global generator. */
    public LecunUniform() {
        this(null);
    }

    /** @param seed the seed, or {@code null}. Defaults to {@code null}. */
    public LecunUniform(Long seed) {
        super(1.0, "fan_in", "uniform", seed);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.of("seed", seed());
    }
}
