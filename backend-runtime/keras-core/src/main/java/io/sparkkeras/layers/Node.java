package io.sparkkeras.layers;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One call of a layer on symbolic inputs: an edge of a functional model's graph. A shared layer called twice has
 * two nodes.
 */
public final class Node {
    private final Layer layer;
    private final List<KerasTensor> inputs;
    private final List<KerasTensor> outputs = new ArrayList<>();

    Node(Layer layer, List<KerasTensor> inputs, List<Shape> outputShapes, DType dtype) {
        this.layer = layer;
        this.inputs = List.copyOf(inputs);
        for (int i = 0; i < outputShapes.size(); i++) {
            outputs.add(new KerasTensor(outputShapes.get(i), dtype, this, i, layer.name()));
        }
    }

    public Layer layer() {
        return layer;
    }

    public List<KerasTensor> inputs() {
        return inputs;
    }

    public List<KerasTensor> outputs() {
        return Collections.unmodifiableList(outputs);
    }
}
