package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.Configs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Rebuilds layers from Keras's serialized form ({@code {"module", "class_name", "config", "build_config"}}) and
 * writes them to it: Keras's {@code keras.layers.deserialize} and {@code serialize}. Every built-in layer is
 * registered by its Keras class name.
 *
 * <pre>{@code
 * Map<String, Object> saved = Layers.serialize(new Dense(4, "relu"));
 * Layer copy = Layers.deserialize(saved);
 * }</pre>
 */
public final class Layers {
    private static final Map<String, Function<Map<String, Object>, Layer>> BY_CLASS = new LinkedHashMap<>();

    static {
        BY_CLASS.put("InputLayer", InputLayer::fromConfig);
        BY_CLASS.put("Dense", Dense::fromConfig);
        BY_CLASS.put("Activation", Activation::fromConfig);
        BY_CLASS.put("Dropout", Dropout::fromConfig);
        BY_CLASS.put("Flatten", Flatten::fromConfig);
        BY_CLASS.put("Reshape", Reshape::fromConfig);
        BY_CLASS.put("Permute", Permute::fromConfig);
        BY_CLASS.put("Conv1D", Conv1D::fromConfig);
        BY_CLASS.put("Conv2D", Conv2D::fromConfig);
        BY_CLASS.put("Conv2DTranspose", Conv2DTranspose::fromConfig);
        BY_CLASS.put("MaxPooling1D", MaxPooling1D::fromConfig);
        BY_CLASS.put("MaxPooling2D", MaxPooling2D::fromConfig);
        BY_CLASS.put("AveragePooling2D", AveragePooling2D::fromConfig);
        BY_CLASS.put("GlobalAveragePooling1D", GlobalAveragePooling1D::fromConfig);
        BY_CLASS.put("GlobalAveragePooling2D", GlobalAveragePooling2D::fromConfig);
        BY_CLASS.put("GlobalMaxPooling2D", GlobalMaxPooling2D::fromConfig);
        BY_CLASS.put("BatchNormalization", BatchNormalization::fromConfig);
        BY_CLASS.put("LayerNormalization", LayerNormalization::fromConfig);
        BY_CLASS.put("Embedding", Embedding::fromConfig);
        BY_CLASS.put("Rescaling", Rescaling::fromConfig);
        BY_CLASS.put("ZeroPadding2D", ZeroPadding2D::fromConfig);
        BY_CLASS.put("UpSampling2D", UpSampling2D::fromConfig);
        BY_CLASS.put("Add", Add::fromConfig);
        BY_CLASS.put("Concatenate", Concatenate::fromConfig);
        BY_CLASS.put("Multiply", Multiply::fromConfig);
    }

    private Layers() {
    }

    /** The Keras class names {@link #deserialize} accepts, in registration order. */
    public static List<String> supported() {
        return List.copyOf(BY_CLASS.keySet());
    }

    /**
     * A new layer from its config, by Keras class name.
     *
     * @throws IllegalArgumentException for an unknown class name, listing the supported ones
     */
    public static Layer fromConfig(String className, Map<String, Object> config) {
        Function<Map<String, Object>, Layer> f = BY_CLASS.get(className);
        if (f == null) {
            throw new IllegalArgumentException("Unknown layer class_name '" + className + "' (layer '"
                    + (config == null ? null : config.get("name")) + "'). Supported: " + supported());
        }
        return f.apply(config == null ? Map.of() : config);
    }

    /**
     * A new layer from Keras's serialized form; built for {@code build_config.input_shape} when that is a single
     * shape.
     *
     * @throws IllegalArgumentException for an unknown {@code class_name}, listing the supported ones
     */
    @SuppressWarnings("unchecked")
    public static Layer deserialize(Map<String, Object> serialized) {
        Object cls = serialized.get("class_name");
        Map<String, Object> config = Configs.getMap(serialized, "config");
        Layer layer = fromConfig(cls == null ? null : cls.toString(), config);
        Map<String, Object> build = Configs.getMap(serialized, "build_config");
        if (build != null && !layer.isBuilt() && build.get("input_shape") instanceof List<?> shape
                && !shape.isEmpty() && !(shape.get(0) instanceof List)) {
            layer.buildFor(Shape.of((List<Number>) shape));
        }
        return layer;
    }

    /** Keras's serialized form of {@code layer}, with its {@code build_config} once built. */
    public static Map<String, Object> serialize(Layer layer) {
        Map<String, Object> r = Configs.serialized("keras.layers", layer.className(), layer.getConfig());
        Map<String, Object> build = layer.getBuildConfig();
        if (build != null) {
            r.put("build_config", build);
        }
        return r;
    }

    /** Serialized forms of several layers, in order. */
    public static List<Map<String, Object>> serialize(List<? extends Layer> layers) {
        List<Map<String, Object>> r = new ArrayList<>(layers.size());
        for (Layer l : layers) {
            r.add(serialize(l));
        }
        return r;
    }
}
