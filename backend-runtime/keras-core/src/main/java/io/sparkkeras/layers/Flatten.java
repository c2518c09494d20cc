package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;

import java.util.Map;

/**
 * Flattens each sample to one axis; the batch axis stays. Keras's {@code Flatten}.
 *
 * <p>Input shape: {@code (batch_size, d1, d2, ...)}. Output shape: {@code (batch_size, d1 * d2 * ...)}.
 *
 * <pre>{@code
 * new Sequential(new Input(28, 28), new Flatten(), new Dense(10));
 * }</pre>
 */
public final class Flatten extends Layer {
    public Flatten() {
        this((String) null);
    }

    public Flatten(String name) {
        super(name);
        setInputSpec(InputSpec.minNdim(1));
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        return Ops.reshape(inputs, inputs.shape().get(0), -1);
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        long rest = inputShape.dropFirst().size();
        return Shape.of(inputShape.get(0), rest);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("data_format", "channels_last");
        return c;
    }

    public static Flatten fromConfig(Map<String, Object> c) {
        Flatten f = new Flatten((String) c.get("name"));
        f.setTrainable(io.sparkkeras.utils.Configs.getBoolean(c, "trainable", true));
        return f;
    }
}
