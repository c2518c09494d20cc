package io.sparkkeras.layers;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.utils.Configs;

import java.util.List;
import java.util.Map;

/**
 * The entry point of a model: declares the per-sample input shape. Keras's {@code InputLayer}.
 *
 * <p>Input shape: {@code (batch_size, *shape)}. Output shape: the same.
 *
 * <pre>{@code
 * Sequential model = new Sequential(new InputLayer(Shape.of(28, 28)), new Flatten(), new Dense(10));
 * }</pre>
 */
public class InputLayer extends Layer {
    private final Shape shape;
    private final DType inputDtype;
    private final KerasTensor output;

    /** @param shape the per-sample shape, without the batch dimension */
    public InputLayer(Shape shape) {
        this(shape, DType.FLOAT32, null);
    }

    public InputLayer(Shape shape, DType dtype, String name) {
        super(name);
        this.shape = shape;
        this.inputDtype = dtype;
        this.output = new Node(this, List.of(), List.of(shape.prepend(Shape.UNKNOWN)), dtype).outputs().get(0);
        buildFor(shape.prepend(Shape.UNKNOWN));
    }

    @Override
    protected String autoNamePrefix() {
        return "InputLayer";
    }

    @Override
    public String className() {
        return "InputLayer";
    }

    /** The per-sample shape. */
    public Shape shape() {
        return shape;
    }

    public DType inputDtype() {
        return inputDtype;
    }

    /** The symbolic tensor this layer feeds, for the functional API. */
    public KerasTensor output() {
        return output;
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        return inputs;
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        return inputShape;
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.of("batch_shape", shape.prepend(Shape.UNKNOWN).toList(), "dtype", inputDtype.kerasName(),
                "sparse", false, "ragged", false, "name", name());
    }

    public static InputLayer fromConfig(Map<String, Object> c) {
        @SuppressWarnings("unchecked")
        List<Number> batchShape = (List<Number>) (c.containsKey("batch_shape") ? c.get("batch_shape")
                : c.get("batch_input_shape"));
        Shape s = Shape.of(batchShape).dropFirst();
        Object dt = c.get("dtype");
        DType dtype = dt instanceof String ds ? DType.of(ds) : DType.FLOAT32;
        return new InputLayer(s, dtype, (String) c.get("name"));
    }
}
