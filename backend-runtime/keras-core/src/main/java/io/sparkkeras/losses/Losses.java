package io.sparkkeras.losses;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Resolves losses by Keras id ({@code "sparse_categorical_crossentropy"}, {@code "mse"}) or class name, and
 * rebuilds them from configs.
 *
 * <pre>{@code
 * Loss loss = Losses.get("mse");
 * }</pre>
 */
public final class Losses {
    private static final Map<String, Supplier<Loss>> BY_ID = new LinkedHashMap<>();
    private static final Map<String, Function<Map<String, Object>, Loss>> BY_CLASS = new LinkedHashMap<>();

    static {
        BY_ID.put("sparse_categorical_crossentropy", SparseCategoricalCrossentropy::new);
        BY_ID.put("categorical_crossentropy", CategoricalCrossentropy::new);
        BY_ID.put("binary_crossentropy", BinaryCrossentropy::new);
        BY_ID.put("mean_squared_error", MeanSquaredError::new);
        BY_ID.put("mse", MeanSquaredError::new);
        BY_ID.put("mean_absolute_error", MeanAbsoluteError::new);
        BY_ID.put("mae", MeanAbsoluteError::new);
        BY_ID.put("huber", Huber::new);
        BY_CLASS.put("SparseCategoricalCrossentropy", SparseCategoricalCrossentropy::fromConfig);
        BY_CLASS.put("CategoricalCrossentropy", CategoricalCrossentropy::fromConfig);
        BY_CLASS.put("BinaryCrossentropy", BinaryCrossentropy::fromConfig);
        BY_CLASS.put("MeanSquaredError", MeanSquaredError::fromConfig);
        BY_CLASS.put("MeanAbsoluteError", MeanAbsoluteError::fromConfig);
        BY_CLASS.put("Huber", Huber::fromConfig);
    }

    private Losses() {
    }

    /**
     * The loss with Keras id or class name {@code name}.
     *
     * @throws IllegalArgumentException listing the known ids
     */
    public static Loss get(String name) {
        Supplier<Loss> s = BY_ID.get(name);
        if (s != null) {
            return s.get();
        }
        Function<Map<String, Object>, Loss> f = BY_CLASS.get(name);
        if (f != null) {
            return f.apply(Map.of());
        }
        throw new IllegalArgumentException("Received an invalid value for `loss`, expected one of " + BY_ID.keySet()
                + " or a Loss. Received: loss=" + name);
    }

    /** Rebuilds a loss from Keras's serialized form or a string id. */
    @SuppressWarnings("unchecked")
    public static Loss deserialize(Object o) {
        if (o instanceof String s) {
            return get(s);
        }
        Map<String, Object> m = (Map<String, Object>) o;
        String cls = (String) m.get("class_name");
        Function<Map<String, Object>, Loss> f = BY_CLASS.get(cls);
        if (f == null) {
            throw new IllegalArgumentException("Unknown loss class_name '" + cls + "'. Supported: " + BY_CLASS.keySet());
        }
        Map<String, Object> c = (Map<String, Object>) m.get("config");
        return f.apply(c == null ? Map.of() : c);
    }
}
