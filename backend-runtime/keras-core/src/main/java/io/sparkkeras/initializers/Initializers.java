package io.sparkkeras.initializers;

import io.sparkkeras.utils.Configs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Resolves initializers by Keras id ({@code "glorot_uniform"}) or class name, and rebuilds them from configs.
 *
 * <pre>{@code
 * Initializer k = Initializers.get("he_normal");
 * Initializer c = Initializers.constant(0.1);
 * }</pre>
 */
public final class Initializers {
    private static final Map<String, Supplier<Initializer>> BY_ID = new LinkedHashMap<>();
    private static final Map<String, Function<Map<String, Object>, Initializer>> BY_CLASS = new LinkedHashMap<>();

    static {
        BY_ID.put("zeros", Zeros::new);
        BY_ID.put("ones", Ones::new);
        BY_ID.put("glorot_uniform", GlorotUniform::new);
        BY_ID.put("glorot_normal", GlorotNormal::new);
        BY_ID.put("he_normal", HeNormal::new);
        BY_ID.put("he_uniform", HeUniform::new);
        BY_ID.put("lecun_normal", LecunNormal::new);
        BY_ID.put("lecun_uniform", LecunUniform::new);
        BY_ID.put("random_uniform", RandomUniform::new);
        BY_ID.put("random_normal", RandomNormal::new);
        BY_ID.put("truncated_normal", TruncatedNormal::new);

        BY_CLASS.put("Zeros", c -> new Zeros());
        BY_CLASS.put("Ones", c -> new Ones());
        BY_CLASS.put("Constant", c -> new Constant(Configs.getDouble(c, "value", 0.0)));
        BY_CLASS.put("GlorotUniform", c -> new GlorotUniform(Configs.getLongOrNull(c, "seed")));
        BY_CLASS.put("GlorotNormal", c -> new GlorotNormal(Configs.getLongOrNull(c, "seed")));
        BY_CLASS.put("HeNormal", c -> new HeNormal(Configs.getLongOrNull(c, "seed")));
        BY_CLASS.put("HeUniform", c -> new HeUniform(Configs.getLongOrNull(c, "seed")));
        BY_CLASS.put("LecunNormal", c -> new LecunNormal(Configs.getLongOrNull(c, "seed")));
        BY_CLASS.put("LecunUniform", c -> new LecunUniform(Configs.getLongOrNull(c, "seed")));
        BY_CLASS.put("RandomUniform", c -> new RandomUniform(Configs.getDouble(c, "minval", -0.05),
                Configs.getDouble(c, "maxval", 0.05), Configs.getLongOrNull(c, "seed")));
        BY_CLASS.put("RandomNormal", c -> new RandomNormal(Configs.getDouble(c, "mean", 0.0),
                Configs.getDouble(c, "stddev", 0.05), Configs.getLongOrNull(c, "seed")));
        BY_CLASS.put("TruncatedNormal", c -> new TruncatedNormal(Configs.getDouble(c, "mean", 0.0),
                Configs.getDouble(c, "stddev", 0.05), Configs.getLongOrNull(c, "seed")));
        BY_CLASS.put("VarianceScaling", c -> new VarianceScaling(Configs.getDouble(c, "scale", 1.0),
                Configs.getString(c, "mode", "fan_in"), Configs.getString(c, "distribution", "truncated_normal"),
                Configs.getLongOrNull(c, "seed")));
    }

    private Initializers() {
    }

    /**
     * The initializer with Keras id or class name {@code name}.
     *
     * @throws IllegalArgumentException listing the known ids
     */
    public static Initializer get(String name) {
        Supplier<Initializer> s = BY_ID.get(name);
        if (s != null) {
            return s.get();
        }
        Function<Map<String, Object>, Initializer> f = BY_CLASS.get(name);
        if (f != null) {
            return f.apply(Map.of());
        }
        throw new IllegalArgumentException("Could not interpret initializer identifier: " + name
                + ". Known ids: " + BY_ID.keySet());
    }

    /** A {@link Constant} initializer. */
    public static Initializer constant(double value) {
        return new Constant(value);
    }

    /** Keras's serialized form: {@code {module, class_name, config, registered_name}}. */
    public static Map<String, Object> serialize(Initializer i) {
        return Configs.serialized("keras.initializers", i.className(), i.getConfig());
    }

    /** Rebuilds an initializer from its serialized form or from a string id. */
    @SuppressWarnings("unchecked")
    public static Initializer deserialize(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof String s) {
            return get(s);
        }
        if (o instanceof Initializer i) {
            return i;
        }
        Map<String, Object> m = (Map<String, Object>) o;
        String cls = (String) m.get("class_name");
        Function<Map<String, Object>, Initializer> f = BY_CLASS.get(cls);
        if (f == null) {
            throw new IllegalArgumentException("Unknown initializer class_name '" + cls + "'. Supported: "
                    + BY_CLASS.keySet());
        }
        Map<String, Object> cfg = (Map<String, Object>) m.get("config");
        return f.apply(cfg == null ? Map.of() : cfg);
    }
}
