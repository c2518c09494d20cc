package io.sparkkeras.layers;

import io.sparkkeras.activations.ActivationFunction;
import io.sparkkeras.activations.Activations;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * Applies an activation function. Keras's {@code Activation}.
 *
 * <p>Input shape: any. Output shape: the same.
 *
 * <pre>{@code
 * Activation relu = new Activation("relu");
 * }</pre>
 */
public final class Activation extends Layer {
    private final ActivationFunction activation;

    /** @param activation a Keras activation id: relu, sigmoid, tanh, softmax, gelu, silu, leaky_relu, elu... */
    public Activation(String activation) {
        this(activation, null);
    }

    public Activation(String activation, String name) {
        super(name);
        this.activation = Activations.get(activation);
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        return activation.apply(inputs);
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        return inputShape;
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("activation", activation.name()));
    }

    public static Activation fromConfig(Map<String, Object> c) {
        Activation a = new Activation(Configs.getString(c, "activation", "linear"), (String) c.get("name"));
        a.setTrainable(Configs.getBoolean(c, "trainable", true));
        return a;
    }
}
