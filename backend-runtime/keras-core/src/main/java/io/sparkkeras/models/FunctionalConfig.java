package io.sparkkeras.models;

import io.sparkkeras.layers.InputLayer;
import io.sparkkeras.layers.KerasTensor;
import io.sparkkeras.layers.Layer;
import io.sparkkeras.layers.Node;
import io.sparkkeras.saving.Serialization;
import io.sparkkeras.utils.Configs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Keras's Functional serialization ({@code keras/src/models/functional.py}): {@code get_config}, which lists every
 * layer with its {@code inbound_nodes}, and {@code functional_from_config}, which recreates the layers and calls
 * them again in a replayable order. Also Keras's {@code map_graph} layer order, which {@code model.layers}, the
 * config and the weights file all follow.
 */
final class FunctionalConfig {
    private FunctionalConfig() {
    }

    // ---- Keras's map_graph order

    /**
     * The layers of the graph from {@code inputs} to {@code outputs} in Keras's order: by decreasing depth from the
     * outputs, ties broken by first visit in a depth-first walk from the outputs.
     */
    static List<Layer> operationOrder(List<KerasTensor> inputs, List<KerasTensor> outputs) {
        Set<KerasTensor> inputSet = Collections.newSetFromMap(new IdentityHashMap<>());
        inputSet.addAll(inputs);
        Set<Node> finished = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Node> inProgress = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Node> nodes = new ArrayList<>();
        Map<Layer, Integer> operationIndex = new IdentityHashMap<>();
        for (KerasTensor t : outputs) {
            visit(t, inputSet, finished, inProgress, nodes, operationIndex);
        }
        Map<Node, Integer> nodeDepth = new IdentityHashMap<>();
        Map<Layer, Integer> operationDepth = new LinkedHashMap<>();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            int depth = nodeDepth.computeIfAbsent(n, k -> 0);
            depth = Math.max(depth, operationDepth.getOrDefault(n.layer(), 0));
            operationDepth.put(n.layer(), depth);
            nodeDepth.put(n, depth);
            for (KerasTensor parent : n.inputs()) {
                nodeDepth.merge(parent.node(), depth + 1, Math::max);
            }
        }
        for (KerasTensor t : inputs) {
            Layer l = t.node().layer();
            if (!operationDepth.containsKey(l)) {
                operationDepth.put(l, 0);
                operationIndex.put(l, -1);
            }
        }
        TreeMap<Integer, List<Layer>> byDepth = new TreeMap<>(Collections.reverseOrder());
        for (Map.Entry<Layer, Integer> e : operationDepth.entrySet()) {
            byDepth.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
        }
        List<Layer> order = new ArrayList<>();
        for (List<Layer> ls : byDepth.values()) {
            ls.sort((a, b) -> Integer.compare(operationIndex.get(a), operationIndex.get(b)));
            order.addAll(ls);
        }
        return order;
    }

    private static void visit(KerasTensor t, Set<KerasTensor> inputs, Set<Node> finished, Set<Node> inProgress,
            List<Node> nodes, Map<Layer, Integer> operationIndex) {
        Node n = t.node();
        if (finished.contains(n)) {
            return;
        }
        if (inProgress.contains(n)) {
            throw new IllegalArgumentException("Tensor " + t + " from layer '" + n.layer().name() + "' is part of a "
                    + "cycle");
        }
        operationIndex.putIfAbsent(n.layer(), operationIndex.size());
        inProgress.add(n);
        if (!n.inputs().isEmpty() && !inputs.contains(t)) {
            for (KerasTensor x : n.inputs()) {
                visit(x, inputs, finished, inProgress, nodes, operationIndex);
            }
        }
        finished.add(n);
        inProgress.remove(n);
        nodes.add(n);
    }

    // ---- get_config

    /** Keras's Functional {@code get_config}. */
    static Map<String, Object> getConfig(Model model) {
        Map<Layer, List<Node>> nodesOf = nodesByLayer(model);
        List<Object> layerConfigs = new ArrayList<>();
        for (Layer l : model.layers()) {
            Map<String, Object> c = Serialization.serialize(l);
            c.put("name", l.name());
            List<Object> inbound = new ArrayList<>();
            for (Node n : nodesOf.getOrDefault(l, List.of())) {
                if (n.inputs().isEmpty()) {
                    continue;
                }
                List<Object> tensors = new ArrayList<>();
                for (KerasTensor t : n.inputs()) {
                    tensors.add(Configs.of("class_name", "__keras_tensor__", "config", Configs.of(
                            "shape", t.shape().toList(),
                            "dtype", t.dtype().kerasName(),
                            "keras_history", history(t, nodesOf))));
                }
                List<Object> args = new ArrayList<>();
                args.add(tensors.size() == 1 ? tensors.get(0) : tensors);
                inbound.add(Configs.of("args", args, "kwargs", new LinkedHashMap<>()));
            }
            c.put("inbound_nodes", inbound);
            layerConfigs.add(c);
        }
        List<Object> inputs = new ArrayList<>();
        for (KerasTensor t : model.inputs()) {
            inputs.add(history(t, nodesOf));
        }
        List<Object> outputs = new ArrayList<>();
        for (KerasTensor t : model.outputs()) {
            outputs.add(history(t, nodesOf));
        }
        return Configs.of("name", model.name(), "trainable", model.trainable(), "layers", layerConfigs,
                "input_layers", inputs, "output_layers", outputs);
    }

    /** Each layer's calls inside this model, in graph order: their positions are the Keras node indices. */
    private static Map<Layer, List<Node>> nodesByLayer(Model model) {
        Map<Layer, List<Node>> r = new IdentityHashMap<>();
        for (Node n : model.graphNodes()) {
            r.computeIfAbsent(n.layer(), k -> new ArrayList<>()).add(n);
        }
        return r;
    }

    /** Keras's {@code keras_history}: {@code [layer name, node index, tensor index]}. */
    private static List<Object> history(KerasTensor t, Map<Layer, List<Node>> nodesOf) {
        Layer l = t.node().layer();
        int nodeIndex = indexOf(nodesOf.getOrDefault(l, List.of()), t.node());
        if (l instanceof Model m && m.isFunctional()) {
            nodeIndex++; // Keras's functional models start with a built-in node
        }
        List<Object> h = new ArrayList<>();
        h.add(l.name());
        h.add(nodeIndex);
        h.add(t.index());
        return h;
    }

    private static int indexOf(List<Node> nodes, Node n) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i) == n) {
                return i;
            }
        }
        return 0;
    }

    // ---- functional_from_config

    /**
     * Keras's {@code functional_from_config}: creates every layer, then replays the layer calls, deferring a call
     * until the tensors it needs exist.
     *
     * @throws IllegalArgumentException for a config whose calls refer to unknown layers or can never be replayed
     */
    static Model fromConfig(Map<String, Object> config) {
        Map<String, Layer> created = new LinkedHashMap<>();
        try {
            return fromConfig(config, created);
        } catch (RuntimeException e) {
            for (Layer l : created.values()) {
                l.close(); // frees the variables of the layers created so far
            }
            throw e;
        }
    }

    private static Model fromConfig(Map<String, Object> config, Map<String, Layer> created) {
        List<Map<String, Object>> layersData = maps(config.get("layers"), "layers");
        Map<Layer, List<List<KerasTensor>>> outputsOf = new IdentityHashMap<>();
        Map<Layer, Deque<Object>> pending = new IdentityHashMap<>();
        for (Map<String, Object> data : layersData) {
            Object name = data.get("name");
            if (!(name instanceof String)) {
                name = data.get("config") instanceof Map<?, ?> inner ? inner.get("name") : null;
            }
            if (!(name instanceof String n)) {
                throw new IllegalArgumentException("A layer of the Functional config has no `name`. Received: "
                        + abbreviate(data));
            }
            Layer layer = Serialization.deserializeLayer(data);
            if (created.containsKey(n)) {
                layer.close();
                throw new IllegalArgumentException("The Functional config names layer '" + n + "' twice; all layer "
                        + "names must be unique");
            }
            created.put(n, layer);
            List<List<KerasTensor>> outs = new ArrayList<>();
            if (layer instanceof InputLayer in) {
                outs.add(List.of(in.output()));
            }
            outputsOf.put(layer, outs);
            Object inbound = data.get("inbound_nodes");
            if (inbound != null && !(inbound instanceof List)) {
                throw new IllegalArgumentException("`inbound_nodes` of layer '" + n + "' must be a list. Received: "
                        + abbreviate(inbound));
            }
            if (inbound != null && !((List<?>) inbound).isEmpty()) {
                pending.put(layer, new ArrayDeque<>((List<?>) inbound));
            }
        }
        while (!pending.isEmpty()) {
            boolean progress = false;
            for (Layer layer : created.values()) {
                Deque<Object> q = pending.get(layer);
                while (q != null && !q.isEmpty()) {
                    List<KerasTensor> args = resolve(q.peekFirst(), layer, created, outputsOf);
                    if (args == null) {
                        break;
                    }
                    outputsOf.get(layer).add(layer.apply(args));
                    q.pollFirst();
                    progress = true;
                }
                if (q != null && q.isEmpty()) {
                    pending.remove(layer);
                }
            }
            if (!progress) {
                List<String> stuck = new ArrayList<>();
                for (Layer l : pending.keySet()) {
                    stuck.add(l.name());
                }
                throw new IllegalArgumentException("The Functional config cannot be replayed: the inputs of layers "
                        + stuck + " refer to layer calls that never happen");
            }
        }
        List<KerasTensor> inputs = tensors(config.get("input_layers"), "input_layers", created, outputsOf);
        List<KerasTensor> outputs = tensors(config.get("output_layers"), "output_layers", created, outputsOf);
        Object name = config.get("name");
        Model m = new Model(inputs, outputs, name instanceof String s ? s : null);
        if (Boolean.FALSE.equals(config.get("trainable"))) {
            m.setTrainable(false);
        }
        return m;
    }

    /** The tensors a recorded call takes, or {@code null} if one of them does not exist yet. */
    private static List<KerasTensor> resolve(Object nodeData, Layer layer, Map<String, Layer> created,
            Map<Layer, List<List<KerasTensor>>> outputsOf) {
        List<List<?>> histories = new ArrayList<>();
        if (nodeData instanceof Map<?, ?> m) {
            collectHistories(m.get("args"), histories, layer);
        } else if (nodeData instanceof List<?> legacy) {
            for (Object o : legacy) {
                if (!(o instanceof List<?> h) || h.size() < 3) {
                    throw new IllegalArgumentException("An inbound node of layer '" + layer.name() + "' is malformed. "
                            + "Received: " + abbreviate(nodeData));
                }
                histories.add(h);
            }
        } else {
            throw new IllegalArgumentException("An inbound node of layer '" + layer.name() + "' must be an object with "
                    + "`args` and `kwargs`. Received: " + abbreviate(nodeData));
        }
        if (histories.isEmpty()) {
            throw new IllegalArgumentException("An inbound node of layer '" + layer.name() + "' has no input tensors. "
                    + "Received: " + abbreviate(nodeData));
        }
        List<KerasTensor> r = new ArrayList<>();
        for (List<?> h : histories) {
            KerasTensor t = tensor(h, "inbound node of layer '" + layer.name() + "'", created, outputsOf);
            if (t == null) {
                return null;
            }
            r.add(t);
        }
        return r;
    }

    private static void collectHistories(Object args, List<List<?>> out, Layer layer) {
        if (args instanceof List<?> l) {
            for (Object o : l) {
                collectHistories(o, out, layer);
            }
        } else if (args instanceof Map<?, ?> m && "__keras_tensor__".equals(m.get("class_name"))) {
            Object h = m.get("config") instanceof Map<?, ?> c ? c.get("keras_history") : null;
            if (!(h instanceof List<?> hl) || hl.size() < 3) {
                throw new IllegalArgumentException("A tensor passed to layer '" + layer.name() + "' has no valid "
                        + "`keras_history`. Received: " + abbreviate(m));
            }
            out.add(hl);
        } else if (args instanceof Map<?, ?> m) {
            throw new IllegalArgumentException("Layer '" + layer.name() + "' is called with an argument that is not a "
                    + "tensor, which is not supported here. Received: " + abbreviate(m));
        }
    }

    private static KerasTensor tensor(List<?> h, String where, Map<String, Layer> created,
            Map<Layer, List<List<KerasTensor>>> outputsOf) {
        if (!(h.get(0) instanceof String name) || !(h.get(1) instanceof Number ni) || !(h.get(2) instanceof Number ti)) {
            throw new IllegalArgumentException("A `keras_history` in the " + where + " must be [layer name, node "
                    + "index, tensor index]. Received: " + h);
        }
        Layer l = created.get(name);
        if (l == null) {
            throw new IllegalArgumentException("The " + where + " refers to layer '" + name + "', which the "
                    + "Functional config does not define. Layers: " + created.keySet());
        }
        int node = ni.intValue() - (l instanceof Model m && m.isFunctional() ? 1 : 0);
        List<List<KerasTensor>> outs = outputsOf.get(l);
        if (node < 0 || node >= outs.size()) {
            return null;
        }
        List<KerasTensor> ts = outs.get(node);
        int t = ti.intValue();
        if (t < 0 || t >= ts.size()) {
            throw new IllegalArgumentException("The " + where + " asks for output " + t + " of layer '" + name
                    + "', which has " + ts.size() + " output(s)");
        }
        return ts.get(t);
    }

    private static List<KerasTensor> tensors(Object spec, String key, Map<String, Layer> created,
            Map<Layer, List<List<KerasTensor>>> outputsOf) {
        if (!(spec instanceof List<?> l) || l.isEmpty()) {
            throw new IllegalArgumentException("The Functional config needs `" + key + "` as a list of [layer name, "
                    + "node index, tensor index]. Received: " + key + "=" + abbreviate(spec));
        }
        List<List<?>> hs = new ArrayList<>();
        if (l.get(0) instanceof String) {
            hs.add(l);
        } else {
            for (Object o : l) {
                if (!(o instanceof List<?> h) || h.size() < 3) {
                    throw new IllegalArgumentException("The Functional config's `" + key + "` must list [layer name, "
                            + "node index, tensor index] (nested dicts are not supported). Received: " + abbreviate(o));
                }
                hs.add(h);
            }
        }
        List<KerasTensor> r = new ArrayList<>();
        for (List<?> h : hs) {
            KerasTensor t = tensor(h, "`" + key + "`", created, outputsOf);
            if (t == null) {
                throw new IllegalArgumentException("The Functional config's `" + key + "` refers to call " + h.get(1)
                        + " of layer '" + h.get(0) + "', which does not exist");
            }
            r.add(t);
        }
        return r;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object o, String key) {
        if (!(o instanceof List<?> l)) {
            throw new IllegalArgumentException("The Functional config needs `" + key + "` as a list. Received: "
                    + key + "=" + abbreviate(o));
        }
        for (Object x : l) {
            if (!(x instanceof Map)) {
                throw new IllegalArgumentException("Each entry of the Functional config's `" + key + "` must be an "
                        + "object. Received: " + abbreviate(x));
            }
        }
        return (List<Map<String, Object>>) l;
    }

    static String abbreviate(Object o) {
        String s = String.valueOf(o);
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
