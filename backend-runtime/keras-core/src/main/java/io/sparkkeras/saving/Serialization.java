package io.sparkkeras.saving;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.layers.InputLayer;
import io.sparkkeras.layers.Layer;
import io.sparkkeras.layers.Layers;
import io.sparkkeras.losses.Loss;
import io.sparkkeras.losses.Losses;
import io.sparkkeras.metrics.Metric;
import io.sparkkeras.metrics.Metrics;
import io.sparkkeras.models.CompileOptions;
import io.sparkkeras.models.Model;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adagrad;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.optimizers.AdamW;
import io.sparkkeras.optimizers.Optimizer;
import io.sparkkeras.optimizers.Optimizers;
import io.sparkkeras.optimizers.RMSprop;
import io.sparkkeras.optimizers.SGD;
import io.sparkkeras.utils.Configs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Keras's {@code serialize_keras_object} / {@code deserialize_keras_object} for the objects a {@code .keras} file
 * holds: layers and models ({@code module}, {@code class_name}, {@code config}, {@code registered_name},
 * {@code build_config}), the model's {@code compile_config} (optimizer, loss, metrics) and the optimizer. Built-in
 * classes are found by Keras class name; user classes through {@link SerializationRegistry}.
 *
 * <pre>{@code
 * Map<String, Object> saved = Serialization.serializeModel(model);   // what config.json holds
 * Model copy = Serialization.deserializeModel(saved);                // compiled as the original
 * }</pre>
 */
public final class Serialization {
    /**
     * Keras layers whose {@code build} is Keras's default: they are built at construction and write no
     * {@code build_config}.
     */
    private static final Set<String> DEFAULT_BUILD = Set.of("InputLayer", "Dropout", "MaxPooling1D", "MaxPooling2D",
            "AveragePooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Activation",
            "Permute", "ZeroPadding2D", "UpSampling2D", "Rescaling");

    private static final Map<String, Function<Map<String, Object>, Optimizer>> OPTIMIZERS = new LinkedHashMap<>();

    static {
        OPTIMIZERS.put("Adam", Adam::fromConfig);
        OPTIMIZERS.put("AdamW", AdamW::fromConfig);
        OPTIMIZERS.put("SGD", SGD::fromConfig);
        OPTIMIZERS.put("RMSprop", RMSprop::fromConfig);
        OPTIMIZERS.put("Adagrad", Adagrad::fromConfig);
    }

    private static final Pattern NON_WORD = Pattern.compile("\\W+");
    private static final Pattern CAP_WORD = Pattern.compile("(.)([A-Z][a-z]+)");
    private static final Pattern LOWER_UPPER = Pattern.compile("([a-z])([A-Z])");

    private Serialization() {
    }

    /** Keras's {@code naming.to_snake_case}: {@code Conv2D} gives {@code conv2d}, {@code MaxPooling2D} {@code max_pooling2d}. */
    public static String toSnakeCase(String name) {
        String s = NON_WORD.matcher(name).replaceAll("");
        s = CAP_WORD.matcher(s).replaceAll("$1_$2");
        return LOWER_UPPER.matcher(s).replaceAll("$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    // ---- layers and models

    /** A layer or model in Keras's serialized form, with its {@code build_config}; no compile config. */
    public static Map<String, Object> serialize(Layer layer) {
        String registered = SerializationRegistry.registeredName(layer.getClass());
        Map<String, Object> r;
        if (registered != null) {
            r = Configs.of("module", layer.getClass().getPackageName(), "class_name", layer.className(),
                    "config", layer.getConfig(), "registered_name", registered);
        } else if (layer instanceof Sequential) {
            r = Configs.serialized("keras", "Sequential", layer.getConfig());
        } else if (layer instanceof Model m && m.isFunctional() && m.getClass() == Model.class) {
            r = Configs.of("module", "keras.src.models.functional", "class_name", "Functional",
                    "config", layer.getConfig(), "registered_name", "Functional");
        } else {
            r = Configs.serialized("keras.layers", layer.className(), layer.getConfig());
        }
        Map<String, Object> build = buildConfig(layer);
        if (build != null) {
            r.put("build_config", build);
        }
        return r;
    }

    private static Map<String, Object> buildConfig(Layer layer) {
        if (layer instanceof Sequential s) {
            Shape built = s.builtInputShape();
            return built == null ? null : Configs.of("input_shape", built.toList());
        }
        if (layer instanceof Model m && m.isFunctional()) {
            return Configs.of("input_shape", null);
        }
        if (DEFAULT_BUILD.contains(layer.className()) && SerializationRegistry.registeredName(layer.getClass()) == null) {
            return null;
        }
        return layer.getBuildConfig();
    }

    /** A model as {@code config.json} holds it: {@link #serialize(Layer)} plus its {@code compile_config} once compiled. */
    public static Map<String, Object> serializeModel(Model model) {
        Map<String, Object> r = serialize(model);
        if (model.isCompiled()) {
            r.put("compile_config", compileConfig(model));
        }
        return r;
    }

    /**
     * A new layer or model from Keras's serialized form: built-in Keras classes, {@code Sequential},
     * {@code Functional}, and registered user classes. Built for a single-shape {@code build_config}.
     *
     * @throws IllegalArgumentException for an unknown {@code class_name} (naming the class, the layer and what is
     *                                  supported), a dtype policy other than float32, or an unsupported regularizer
     */
    @SuppressWarnings("unchecked")
    public static Layer deserializeLayer(Map<String, Object> serialized) {
        Object cls = serialized.get("class_name");
        Map<String, Object> config = map(serialized.get("config"), "config of layer class " + cls);
        Object name = config.get("name");
        if (!(cls instanceof String)) {
            throw new IllegalArgumentException("A layer of the config has no string `class_name` (layer '" + name
                    + "'). Received: class_name=" + cls);
        }
        SerializationRegistry.Entry e = SerializationRegistry.lookup(serialized.get("registered_name"), cls);
        Layer layer;
        if (e != null && Layer.class.isAssignableFrom(e.type())) {
            layer = (Layer) e.fromConfig().apply(config);
        } else if ("Sequential".equals(cls)) {
            layer = Sequential.fromConfig(config);
        } else if ("Functional".equals(cls) || "Model".equals(cls) && config.containsKey("layers")) {
            layer = Model.fromConfig(config);
        } else if (cls instanceof String c && Layers.supported().contains(c)) {
            layer = Layers.fromConfig(c, config);
        } else {
            throw new IllegalArgumentException("Unknown layer class_name '" + cls + "' (layer '" + name + "'). "
                    + "Supported: Sequential, Functional, " + String.join(", ", Layers.supported())
                    + registeredSuffix() + ". Register your own classes with SerializationRegistry.register(...)");
        }
        checkDtype(layer, config);
        checkUnsupported(layer, config);
        if (Boolean.FALSE.equals(config.get("trainable"))) {
            layer.setTrainable(false);
        }
        Map<String, Object> build = serialized.get("build_config") instanceof Map<?, ?> b ? (Map<String, Object>) b : null;
        if (build != null && !layer.isBuilt() && build.get("input_shape") instanceof List<?> shape
                && isShape(shape)) {
            layer.buildFor(Shape.of((List<Number>) shape));
        }
        return layer;
    }

    private static boolean isShape(List<?> l) {
        if (l.isEmpty()) {
            return false;
        }
        for (Object o : l) {
            if (o != null && !(o instanceof Number)) {
                return false;
            }
        }
        return true;
    }

    private static String registeredSuffix() {
        List<String> r = SerializationRegistry.registeredNames();
        return r.isEmpty() ? "" : ", and the registered " + r;
    }

    private static void checkDtype(Layer layer, Map<String, Object> config) {
        if (layer instanceof InputLayer) {
            return;
        }
        Object d = config.get("dtype");
        String policy = null;
        if (d instanceof String s) {
            policy = s;
        } else if (d instanceof Map<?, ?> m && m.get("config") instanceof Map<?, ?> c && c.get("name") != null) {
            policy = c.get("name").toString();
        }
        if (policy != null && !policy.equals("float32")) {
            throw new IllegalArgumentException("Layer '" + layer.name() + "' has dtype policy '" + policy
                    + "'; only 'float32' is supported. Received: dtype=" + d);
        }
    }

    private static void checkUnsupported(Layer layer, Map<String, Object> config) {
        Map<String, Object> ours = null;
        for (Map.Entry<String, Object> kv : config.entrySet()) {
            String k = kv.getKey();
            if (kv.getValue() != null && (k.endsWith("_regularizer") || k.endsWith("_constraint"))) {
                if (ours == null) {
                    ours = layer.getConfig();
                }
                if (ours.get(k) == null) {
                    throw new IllegalArgumentException("Layer '" + layer.name() + "' (" + layer.className() + ") uses `"
                            + k + "`, which is not supported here yet. Received: " + k + "=" + kv.getValue());
                }
            }
        }
    }

    /**
     * A model from {@code config.json}'s content: {@link #deserializeLayer}, then compiled from its
     * {@code compile_config} (optimizer not yet built; its state comes with the weights).
     *
     * @throws IllegalArgumentException if the object is not a model
     */
    public static Model deserializeModel(Map<String, Object> serialized) {
        Layer l = deserializeLayer(serialized);
        if (!(l instanceof Model m)) {
            l.close();
            throw new IllegalArgumentException("Expected a model (Sequential, Functional or a registered Model), "
                    + "but config.json holds a " + serialized.get("class_name") + " named '" + l.name() + "'");
        }
        Object cc = serialized.get("compile_config");
        if (cc != null) {
            try {
                compileFromConfig(m, map(cc, "compile_config"));
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
        }
        return m;
    }

    // ---- compile config

    /** Keras's {@code get_compile_config}: optimizer, loss, loss weights, metrics and flags, as Keras writes them. */
    public static Map<String, Object> compileConfig(Model model) {
        List<Object> lossSpecs = model.lossSpecs();
        Object loss;
        if (lossSpecs.size() == 1) {
            loss = serializeLoss(lossSpecs.get(0));
        } else {
            List<Object> l = new ArrayList<>();
            for (Object o : lossSpecs) {
                l.add(serializeLoss(o));
            }
            loss = l;
        }
        List<Object> metrics = null;
        if (!model.metricSpecs().isEmpty()) {
            metrics = new ArrayList<>();
            for (Object o : model.metricSpecs()) {
                metrics.add(serializeMetric(o));
            }
        }
        return Configs.of(
                "optimizer", serializeOptimizer(model.optimizer()),
                "loss", loss,
                "loss_weights", model.lossWeights() == null ? null : new ArrayList<>(model.lossWeights()),
                "metrics", metrics,
                "weighted_metrics", null,
                "run_eagerly", false,
                "steps_per_execution", 1,
                "jit_compile", model.jitCompile());
    }

    /** Keras's {@code compile_from_config}: compiles {@code model} as the config says. */
    @SuppressWarnings("unchecked")
    public static void compileFromConfig(Model model, Map<String, Object> config) {
        CompileOptions o = new CompileOptions().optimizer(deserializeOptimizer(config.get("optimizer")));
        Object loss = config.get("loss");
        if (loss instanceof List<?> l) {
            List<Loss> losses = new ArrayList<>();
            for (Object x : l) {
                losses.add(deserializeLoss(x));
            }
            o.losses(losses);
        } else if (loss instanceof String s) {
            o.loss(s);
        } else if (loss != null) {
            o.loss(deserializeLoss(loss));
        } else {
            throw new IllegalArgumentException("compile_config has no `loss`; a saved compiled model needs one. "
                    + "Received: loss=null");
        }
        if (config.get("loss_weights") instanceof List<?> w) {
            List<Double> ws = new ArrayList<>();
            for (Object x : w) {
                ws.add(((Number) x).doubleValue());
            }
            o.lossWeights(ws);
        } else if (config.get("loss_weights") != null) {
            throw new IllegalArgumentException("compile_config `loss_weights` must be a list of numbers or null. "
                    + "Received: loss_weights=" + config.get("loss_weights"));
        }
        if (config.get("metrics") instanceof List<?> ms) {
            List<Object> metrics = new ArrayList<>();
            for (Object m : ms) {
                metrics.add(deserializeMetric(m));
            }
            o.metrics(metrics);
        } else if (config.get("metrics") != null) {
            throw new IllegalArgumentException("compile_config `metrics` must be a list (dicts per output are not "
                    + "supported yet). Received: metrics=" + config.get("metrics"));
        }
        if (config.get("weighted_metrics") != null) {
            throw new IllegalArgumentException("compile_config `weighted_metrics` is not supported yet. Received: "
                    + "weighted_metrics=" + config.get("weighted_metrics"));
        }
        o.jitCompile(Boolean.TRUE.equals(config.get("jit_compile")));
        model.compile(o);
    }

    private static Object serializeLoss(Object spec) {
        if (spec instanceof Loss l) {
            return serializeObject(l, "keras.losses", l.className(), l.getConfig());
        }
        return spec;
    }

    @SuppressWarnings("unchecked")
    private static Loss deserializeLoss(Object o) {
        if (o instanceof Map<?, ?> m) {
            SerializationRegistry.Entry e = SerializationRegistry.lookup(m.get("registered_name"), m.get("class_name"));
            if (e != null && Loss.class.isAssignableFrom(e.type())) {
                return (Loss) e.fromConfig().apply(map(m.get("config"), "loss config"));
            }
            return Losses.deserialize(m);
        }
        if (o instanceof String s) {
            return Losses.get(s);
        }
        throw new IllegalArgumentException("compile_config `loss` must be a string id or a serialized loss. "
                + "Received: loss=" + o);
    }

    private static Object serializeMetric(Object spec) {
        if (spec instanceof Metric m) {
            return serializeObject(m, "keras.metrics", m.getClass().getSimpleName(), m.getConfig());
        }
        return spec;
    }

    private static Object deserializeMetric(Object o) {
        if (o instanceof String) {
            return o;
        }
        if (o instanceof Map<?, ?> m) {
            SerializationRegistry.Entry e = SerializationRegistry.lookup(m.get("registered_name"), m.get("class_name"));
            if (e != null && Metric.class.isAssignableFrom(e.type())) {
                return e.fromConfig().apply(map(m.get("config"), "metric config"));
            }
            Object cls = m.get("class_name");
            Map<String, Object> config = map(m.get("config"), "metric config");
            Metric built = cls instanceof String c ? builtInMetric(c, config) : null;
            return built != null ? built : Metrics.get(cls instanceof String c ? toSnakeCase(c) : String.valueOf(cls));
        }
        throw new IllegalArgumentException("compile_config `metrics` entries must be string ids or serialized "
                + "metrics. Received: " + o);
    }

    /**
     * A built-in metric by Keras class name: its static {@code fromConfig(Map)}, else its {@code (String name)}
     * constructor; {@code null} if there is no such class.
     */
    private static Metric builtInMetric(String className, Map<String, Object> config) {
        if (!className.matches("[A-Z][A-Za-z0-9]*")) {
            return null;
        }
        Class<?> c;
        try {
            c = Class.forName("io.sparkkeras.metrics." + className);
        } catch (ClassNotFoundException e) {
            return null;
        }
        if (!Metric.class.isAssignableFrom(c)) {
            return null;
        }
        try {
            try {
                java.lang.reflect.Method f = c.getMethod("fromConfig", Map.class);
                if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                    return (Metric) f.invoke(null, config);
                }
            } catch (NoSuchMethodException e) {
                // fall through to the name constructor
            }
            if (config.get("name") instanceof String name) {
                return (Metric) c.getConstructor(String.class).newInstance(name);
            }
            return (Metric) c.getConstructor().newInstance();
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable t = e.getCause();
            throw t instanceof RuntimeException r ? r : new IllegalArgumentException("Cannot rebuild metric "
                    + className + ": " + t, t);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    // ---- optimizers

    /** An optimizer in Keras's serialized form. */
    public static Map<String, Object> serializeOptimizer(Optimizer o) {
        return serializeObject(o, "keras.optimizers", o.className(), o.getConfig());
    }

    /**
     * An optimizer from its serialized form or Keras id ({@code "adam"}).
     *
     * @throws IllegalArgumentException for an unknown class, listing the supported ones
     */
    public static Optimizer deserializeOptimizer(Object o) {
        if (o instanceof String s) {
            return Optimizers.get(s);
        }
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("compile_config `optimizer` must be a string id or a serialized "
                    + "optimizer. Received: optimizer=" + o);
        }
        Object cls = m.get("class_name");
        Map<String, Object> config = map(m.get("config"), "optimizer config");
        SerializationRegistry.Entry e = SerializationRegistry.lookup(m.get("registered_name"), cls);
        if (e != null && Optimizer.class.isAssignableFrom(e.type())) {
            return (Optimizer) e.fromConfig().apply(config);
        }
        Function<Map<String, Object>, Optimizer> f = cls instanceof String c ? OPTIMIZERS.get(c) : null;
        if (f == null) {
            throw new IllegalArgumentException("Unknown optimizer class_name '" + cls + "' (optimizer '"
                    + config.get("name") + "'). Supported: " + OPTIMIZERS.keySet() + registeredSuffix());
        }
        return f.apply(config);
    }

    private static Map<String, Object> serializeObject(Object o, String module, String className,
            Map<String, Object> config) {
        String registered = SerializationRegistry.registeredName(o.getClass());
        if (registered != null) {
            return Configs.of("module", o.getClass().getPackageName(), "class_name", className, "config", config,
                    "registered_name", registered);
        }
        return Configs.serialized(module, className, config);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String what) {
        if (o == null) {
            return Map.of();
        }
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException("Expected a JSON object for the " + what + ". Received: " + o);
        }
        return (Map<String, Object>) o;
    }
}
