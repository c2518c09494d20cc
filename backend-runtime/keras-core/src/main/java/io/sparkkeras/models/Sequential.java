package io.sparkkeras.models;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.layers.InputLayer;
import io.sparkkeras.layers.KerasTensor;
import io.sparkkeras.layers.Layer;
import io.sparkkeras.saving.Serialization;
import io.sparkkeras.utils.Configs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A linear stack of layers. Keras's {@code Sequential}. With an {@code Input} first, the model is built at once
 * (its summary shows every shape); otherwise it builds on the first batch.
 *
 * <pre>{@code
 * Sequential model = new Sequential(
 *         new Input(28, 28),
 *         new Flatten(),
 *         new Dense(128, "relu"),
 *         new Dense(10));
 * }</pre>
 */
public class Sequential extends Model {
    private final List<Layer> stack = new ArrayList<>();
    private InputLayer inputLayer;
    private final List<Shape> outputShapes = new ArrayList<>();

    public Sequential(Layer... layers) {
        this(null, layers);
    }

    /** @param name or {@code null} for {@code "sequential"} */
    public Sequential(String name, Layer... layers) {
        super(name);
        for (Layer l : layers) {
            add(l);
        }
    }

    /** Appends a layer; with an input declared, builds it at once and checks its shape. */
    public final void add(Layer layer) {
        if (layer instanceof InputLayer in) {
            if (inputLayer != null || !stack.isEmpty()) {
                throw new IllegalArgumentException("An InputLayer can only be the first layer of a Sequential model; "
                        + "model \"" + name() + "\" already has layers");
            }
            inputLayer = in;
            return;
        }
        stack.add(layer);
        resetPredictFunction();
        if (inputLayer != null) {
            KerasTensor t = inputLayer.output();
            Shape s = outputShapes.isEmpty() ? t.shape() : outputShapes.get(outputShapes.size() - 1);
            layer.buildFor(s);
            outputShapes.add(layer.computeOutputShape(s));
        }
    }

    /** The input layer, or {@code null} if none was declared. */
    public final InputLayer inputLayer() {
        return inputLayer;
    }

    @Override
    public List<Layer> layers() {
        return List.copyOf(stack);
    }

    @Override
    public List<Shape> inputShapes() {
        return inputLayer == null ? List.of() : List.of(inputLayer.shape());
    }

    /** Output shape of each layer (with {@code None} batch), once built. */
    public final List<Shape> layerOutputShapes() {
        return List.copyOf(outputShapes);
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        Tensor x = inputs;
        for (Layer l : stack) {
            x = l.apply(x, training);
        }
        if (outputShapes.isEmpty()) {
            recordShapes(inputs.shape());
        }
        return x;
    }

    private void recordShapes(Shape batchShape) {
        Shape s = batchShape.with(0, Shape.UNKNOWN);
        for (Layer l : stack) {
            s = l.computeOutputShape(s);
            outputShapes.add(s);
        }
    }

    @Override
    public List<Tensor> forward(List<Tensor> inputs, boolean training) {
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("A Sequential model has one input; it received " + inputs.size());
        }
        return List.of(apply(inputs.get(0), training));
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        Shape s = inputShape;
        for (Layer l : stack) {
            s = l.computeOutputShape(s);
        }
        return s;
    }

    @Override
    public int numOutputs() {
        return 1;
    }

    @Override
    public String className() {
        return "Sequential";
    }

    /**
     * Keras's Sequential config: {@code name}, {@code trainable}, {@code dtype}, {@code layers} (the
     * {@code InputLayer} first when declared, then each layer serialized with its {@code build_config}) and
     * {@code build_input_shape}.
     */
    @Override
    public Map<String, Object> getConfig() {
        List<Object> layers = new ArrayList<>();
        Shape built = builtInputShape();
        if (inputLayer != null) {
            layers.add(Serialization.serialize(inputLayer));
        } else if (built != null) {
            // Built by its first batch: Keras's build(input_shape) would have added this InputLayer.
            layers.add(Configs.serialized("keras.layers", "InputLayer", Configs.of("batch_shape", built.toList(),
                    "dtype", dtype().kerasName(), "sparse", false, "ragged", false, "name", name() + "_input")));
        }
        for (Layer l : stack) {
            layers.add(Serialization.serialize(l));
        }
        Map<String, Object> c = Configs.of("name", name(), "trainable", trainable(),
                "dtype", Configs.serialized("keras", "DTypePolicy", Configs.of("name", dtype().kerasName())),
                "layers", layers);
        if (built != null) {
            c.put("build_input_shape", built.toList());
        }
        return c;
    }

    /** The batch input shape ({@code None} batch) once known: declared by an input, or seen on the first batch. */
    public final Shape builtInputShape() {
        if (inputLayer != null) {
            return inputLayer.shape().prepend(Shape.UNKNOWN);
        }
        return buildInputShape() instanceof Shape s && s.rank() > 0 ? s.with(0, Shape.UNKNOWN) : null;
    }

    /**
     * Rebuilds a Sequential from its Keras config; without an {@code InputLayer}, {@code build_input_shape}
     * declares the input as Keras's {@code model.build(build_input_shape)} does.
     */
    @SuppressWarnings("unchecked")
    public static Sequential fromConfig(Map<String, Object> config) {
        Object ls = config.get("layers");
        if (!(ls instanceof List<?> list)) {
            throw new IllegalArgumentException("A Sequential config needs `layers` as a list. Received: layers=" + ls);
        }
        Object name = config.get("name");
        Sequential model = new Sequential(name instanceof String s ? s : null);
        try {
            addFromConfig(model, list, config);
        } catch (RuntimeException e) {
            model.close(); // frees the variables of the layers created so far
            throw e;
        }
        if (Boolean.FALSE.equals(config.get("trainable"))) {
            model.setTrainable(false);
        }
        return model;
    }

    @SuppressWarnings("unchecked")
    private static void addFromConfig(Sequential model, List<?> list, Map<String, Object> config) {
        boolean first = true;
        for (Object o : list) {
            if (!(o instanceof Map)) {
                throw new IllegalArgumentException("Each entry of a Sequential config's `layers` must be an object. "
                        + "Received: " + o);
            }
            Layer l = Serialization.deserializeLayer((Map<String, Object>) o);
            if (first && !(l instanceof InputLayer) && config.get("build_input_shape") instanceof List<?> shape
                    && !shape.isEmpty() && !(shape.get(0) instanceof List)) {
                model.add(new InputLayer(Shape.of((List<Number>) shape).dropFirst()));
            }
            first = false;
            try {
                model.add(l);
            } catch (RuntimeException e) {
                l.close();
                throw e;
            }
        }
    }
}
