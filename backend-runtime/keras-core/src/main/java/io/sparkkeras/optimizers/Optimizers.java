package io.sparkkeras.optimizers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Resolves optimizers by Keras id ({@code "adam"}, {@code "sgd"}...) with Keras's defaults.
 *
 * <pre>{@code
 * Optimizer o = Optimizers.get("adam");
 * }</pre>
 */
public final class Optimizers {
    private static final Map<String, Supplier<Optimizer>> BY_ID = new LinkedHashMap<>();

    static {
        BY_ID.put("adam", Adam::new);
        BY_ID.put("sgd", SGD::new);
        BY_ID.put("adamw", AdamW::new);
        BY_ID.put("rmsprop", RMSprop::new);
        BY_ID.put("adagrad", Adagrad::new);
    }

    private Optimizers() {
    }

    /** Registers an optimizer id. */
    public static void register(String id, Supplier<Optimizer> factory) {
        BY_ID.put(id, factory);
    }

    /**
     * The optimizer with Keras id {@code id} (case-insensitive).
     *
     * @throws IllegalArgumentException listing the known ids
     */
    public static Optimizer get(String id) {
        Supplier<Optimizer> s = BY_ID.get(id.toLowerCase(java.util.Locale.ROOT));
        if (s == null) {
            throw new IllegalArgumentException("Received an invalid value for `optimizer`, expected one of "
                    + BY_ID.keySet() + " or an Optimizer. Received: optimizer=" + id);
        }
        return s.get();
    }
}
