package io.sparkkeras.layers;

import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.List;
import java.util.Map;

/**
 * Multiplies a list of inputs element-wise. Keras's {@code Multiply}.
 *
 * <p>Input shape: a list of shapes that broadcast together. Output shape: their broadcast.
 *
 * <pre>{@code
 * KerasTensor gated = new Multiply().apply(x, gate);
 * }</pre>
 */
public final class Multiply extends Merge {
    public Multiply() {
        this(null);
    }

    public Multiply(String name) {
        super(name);
    }

    @Override
    protected Tensor merge(List<Tensor> inputs) {
        Tensor out = inputs.get(0);
        for (int i = 1; i < inputs.size(); i++) {
            out = Ops.multiply(out, inputs.get(i));
        }
        return out;
    }

    public static Multiply fromConfig(Map<String, Object> c) {
        Multiply m = new Multiply((String) c.get("name"));
        m.setTrainable(Configs.getBoolean(c, "trainable", true));
        return m;
    }
}
