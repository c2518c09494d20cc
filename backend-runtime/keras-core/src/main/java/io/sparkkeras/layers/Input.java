package io.sparkkeras.layers;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;

/**
 * Keras's {@code keras.Input}: an {@link InputLayer} declared by its per-sample shape. Use
 * {@code new Input(28, 28)} as the first layer of a {@code Sequential}, or {@link #of(int...)} for the symbolic
 * tensor the functional API starts from.
 *
 * <pre>{@code
 * Sequential model = new Sequential(new Input(784), new Dense(10));
 * KerasTensor inputs = Input.of(784);
 * }</pre>
 */
public final class Input extends InputLayer {

    /** @param shape the per-sample shape, without the batch dimension */
    public Input(int... shape) {
        super(Shape.of(shape));
    }

    public Input(Shape shape, DType dtype, String name) {
        super(shape, dtype, name);
    }

    /** The symbolic input tensor of shape {@code (None, *shape)}, float32. */
    public static KerasTensor of(int... shape) {
        return new Input(shape).output();
    }

    /** A named symbolic input of the given dtype (int32 token ids for an Embedding, say). */
    public static KerasTensor of(Shape shape, DType dtype, String name) {
        return new Input(shape, dtype, name).output();
    }
}
