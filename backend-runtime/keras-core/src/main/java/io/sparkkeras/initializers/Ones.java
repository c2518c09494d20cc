package io.sparkkeras.initializers;

import java.util.Map;

/** Initializes to 1. Keras id {@code "ones"}. */
public final class Ones extends Constant {
    public Ones() {
        super(1.0);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Map.of();
    }
}
