package io.sparkkeras.layers;

import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.List;
import java.util.Map;

/**
 * Adds a list of inputs element-wise. Keras's {@code Add}.
 *
 * <p>Input shape: a list of shapes that broadcast together. Output shape: their broadcast.
 *
 * <pre>{@code
 * KerasTensor sum = new Add().apply(x1, x2);
 * }</pre>
 */
public final class Add extends Merge {
    public Add() {
        this(null);
    }

    public Add(String name) {
        super(name);
    }

    @Override
    protected Tensor merge(List<Tensor> inputs) {
        Tensor out = inputs.get(0);
        for (int i = 1; i < inputs.size(); i++) {
            out = Ops.add(out, inputs.get(i));
        }
        return out;
    }

    public static Add fromConfig(Map<String, Object> c) {
        Add a = new Add((String) c.get("name"));
        a.setTrainable(Configs.getBoolean(c, "trainable", true));
        return a;
    }
}
