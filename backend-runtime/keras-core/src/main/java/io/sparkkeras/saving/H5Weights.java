package io.sparkkeras.saving;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.layers.Layer;
import io.sparkkeras.models.Model;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Optimizer;
import io.sparkkeras.utils.NdArray;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The layout of Keras 3's weights file ({@code model.weights.h5}), as {@code saving_lib._save_state} walks a model:
 * <ul>
 *   <li>{@code vars/}: the model's own variables, with attribute {@code name};</li>
 *   <li>{@code layers/<class>[_k]/vars/<i>}: each layer of {@code model.layers}, addressed by its snake-cased class
 *   name numbered per class ({@code conv2d}, {@code conv2d_1}), never by its own name; variables numbered in Keras's
 *   order (trainable ones, then the others, each in creation order); a nested model's layers under
 *   {@code layers/<model>/layers/...}; sub-layers held in fields under their snake-cased field name;</li>
 *   <li>{@code optimizer/vars/<i>}: {@code 0} the step count (int64), {@code 1} the learning rate (float32, absent
 *   with a schedule), then the slots in Keras's order (Adam: momentum and velocity of each variable in turn).</li>
 * </ul>
 * Every visited object gets its group, even without variables, as Keras 3.10 writes it.
 */
public final class H5Weights {
    /** Keras's slot creation order: each inner list is one {@code add_optimizer_variables} call, interleaved per variable. */
    private static final Map<String, List<List<String>>> SLOT_GROUPS = Map.of(
            "Adam", List.of(List.of("momentum", "velocity"), List.of("velocity_hat")),
            "AdamW", List.of(List.of("momentum", "velocity"), List.of("velocity_hat")),
            "SGD", List.of(List.of("momentum")),
            "RMSprop", List.of(List.of("velocity"), List.of("momentum"), List.of("average_gradient")),
            "Adagrad", List.of(List.of("accumulator")));

    private H5Weights() {
    }

    // ---- saving

    /** The weights file of {@code model} (and of its optimizer, once compiled) as a tree. */
    public static H5Group save(Model model) {
        H5Group root = new H5Group();
        // Every variable is placed first and read in one go (one session run on TensorFlow, not one per variable).
        List<Variable> all = new ArrayList<>();
        List<H5Group> groups = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        walk(model, (path, layer) -> {
            H5Group vars = groupAt(root, join(path, "vars"));
            vars.putAttribute("name", layer.name());
            List<Variable> vs = ownVariables(layer);
            for (int i = 0; i < vs.size(); i++) {
                all.add(vs.get(i));
                groups.add(vars);
                keys.add(Integer.toString(i));
            }
        });
        Optimizer o = model.optimizer();
        if (o != null) {
            H5Group vars = groupAt(root, "optimizer/vars");
            vars.putAttribute("name", o.name());
            int i = 0;
            vars.putDataset(Integer.toString(i++), NdArray.of(new long[] {o.iterations()}).reshape());
            if (o.schedule() == null) {
                vars.putDataset(Integer.toString(i++),
                        NdArray.of(new float[] {(float) o.currentLearningRate()}).reshape());
            }
            for (Variable v : kerasSlots(model, o)) {
                all.add(v);
                groups.add(vars);
                keys.add(Integer.toString(i++));
            }
        }
        List<NdArray> values = Variable.numpy(all);
        for (int j = 0; j < values.size(); j++) {
            groups.get(j).putDataset(keys.get(j), values.get(j));
        }
        return root;
    }

    // ---- loading

    /**
     * Assigns every variable of {@code model} (and its optimizer's state, when the model is compiled and the file
     * has it) from {@code root}. All shapes are checked before anything is assigned.
     *
     * @throws KerasFileException naming the layer, the HDF5 path and both shapes when a weight does not fit
     */
    public static void load(Model model, H5Group root, Path file, String entry) {
        List<Variable> targets = new ArrayList<>();
        List<NdArray> values = new ArrayList<>();
        walk(model, (path, layer) -> {
            String groupPath = join(path, "vars");
            H5Group g = root.find(groupPath);
            List<Variable> vs = ownVariables(layer);
            Map<String, NdArray> ds = g == null ? Map.of() : g.datasets();
            if (ds.size() != vs.size()) {
                throw new KerasFileException(file, entry, "layer '" + layer.name() + "' (" + layer.className()
                        + ") expects " + vs.size() + " variables " + describe(vs) + " in HDF5 group '" + groupPath
                        + "', but the file has " + ds.size() + (g == null ? " (no such group)" : " " + ds.keySet()));
            }
            for (int i = 0; i < vs.size(); i++) {
                targets.add(vs.get(i));
                values.add(planAssign(vs.get(i), ds, groupPath, i, "layer '" + layer.name() + "'", file, entry));
            }
        });
        Optimizer o = model.optimizer();
        H5Group og = root.find("optimizer/vars");
        Runnable counters = o != null && og != null ? planOptimizer(model, o, og, file, entry, targets, values) : null;
        // All at once: one session run on TensorFlow, not one per variable.
        Variable.assign(targets, values);
        if (counters != null) {
            counters.run();
        }
    }

    /** Adds the slots' assignments to {@code targets}/{@code values}; returns what restores the counters after. */
    private static Runnable planOptimizer(Model model, Optimizer o, H5Group og, Path file, String entry,
            List<Variable> targets, List<NdArray> values) {
        o.buildFor(model.trainableWeights());
        List<Variable> slots = kerasSlots(model, o);
        int counters = o.schedule() == null ? 2 : 1;
        Map<String, NdArray> ds = og.datasets();
        if (ds.size() != counters && ds.size() != counters + slots.size()) {
            throw new KerasFileException(file, entry, "optimizer '" + o.name() + "' (" + o.className() + ") expects "
                    + (counters + slots.size()) + " variables in HDF5 group 'optimizer/vars' (step count, "
                    + (counters == 2 ? "learning rate, " : "") + slots.size() + " slots), but the file has "
                    + ds.size());
        }
        NdArray it = dataset(ds, "optimizer/vars", 0, file, entry);
        NdArray lr = counters == 2 ? dataset(ds, "optimizer/vars", 1, file, entry) : null;
        for (NdArray a : lr == null ? List.of(it) : List.of(it, lr)) {
            if (a.shape().rank() != 0) {
                throw new KerasFileException(file, entry, "optimizer step count and learning rate must be scalars, "
                        + "but HDF5 dataset 'optimizer/vars' holds shape " + a.shape());
            }
        }
        if (ds.size() > counters) {
            for (int i = 0; i < slots.size(); i++) {
                targets.add(slots.get(i));
                values.add(planAssign(slots.get(i), ds, "optimizer/vars", counters + i,
                        "optimizer '" + o.name() + "'", file, entry));
            }
        }
        long iterations = (long) it.getDouble(0);
        Double rate = lr == null ? null : lr.getDouble(0);
        return () -> o.restoreCounters(iterations, rate);
    }

    /** The value for {@code v} from dataset {@code i}, checked and converted to its dtype. */
    private static NdArray planAssign(Variable v, Map<String, NdArray> ds, String groupPath, int i, String owner,
            Path file, String entry) {
        NdArray a = dataset(ds, groupPath, i, file, entry);
        if (!a.shape().equals(v.shape())) {
            throw new KerasFileException(file, entry, "weight shape mismatch for " + owner + ", variable '" + v.path()
                    + "': the model expects shape " + v.shape() + " but HDF5 dataset '" + groupPath + "/" + i
                    + "' has shape " + a.shape());
        }
        return convert(a, v.dtype());
    }

    private static NdArray dataset(Map<String, NdArray> ds, String groupPath, int i, Path file, String entry) {
        NdArray a = ds.get(Integer.toString(i));
        if (a == null) {
            throw new KerasFileException(file, entry, "HDF5 dataset '" + groupPath + "/" + i + "' is missing; the "
                    + "group has " + ds.keySet());
        }
        return a;
    }

    private static NdArray convert(NdArray a, DType t) {
        if (a.dtype() == t) {
            return a;
        }
        int[] dims = a.shape().intDims();
        return switch (t) {
            case FLOAT32 -> NdArray.of(a.toFloatArray()).reshape(dims);
            case INT32 -> NdArray.of(a.toIntArray()).reshape(dims);
            case INT64 -> NdArray.of(a.toLongArray()).reshape(dims);
            default -> {
                double[] d = new double[Math.toIntExact(a.size())];
                for (int i = 0; i < d.length; i++) {
                    d[i] = a.getDouble(i);
                }
                yield NdArray.of(d).reshape(dims);
            }
        };
    }

    private static String describe(List<Variable> vs) {
        List<String> r = new ArrayList<>();
        for (Variable v : vs) {
            r.add(v.name() + " " + v.shape());
        }
        return r.toString();
    }

    // ---- the walk

    /** A layer's own variables in Keras's save order: trainable ones, then the others, each in creation order. */
    static List<Variable> ownVariables(Layer layer) {
        List<Variable> r = new ArrayList<>();
        for (Variable v : layer.ownWeights()) {
            if (v.trainable()) {
                r.add(v);
            }
        }
        for (Variable v : layer.ownWeights()) {
            if (!v.trainable()) {
                r.add(v);
            }
        }
        return r;
    }

    /**
     * The optimizer's slots in Keras's order, for the model's trainable variables; our own creation order for
     * optimizers Keras does not have.
     */
    static List<Variable> kerasSlots(Model model, Optimizer o) {
        List<Variable> all = o.variables();
        List<Variable> ours = all.isEmpty() ? List.of() : all.subList(1, all.size());
        List<List<String>> groups = SLOT_GROUPS.get(o.className());
        if (groups == null || ours.isEmpty()) {
            return ours;
        }
        Map<String, Variable> byPath = new HashMap<>();
        for (Variable v : ours) {
            byPath.put(v.path(), v);
        }
        List<Variable> r = new ArrayList<>();
        List<Variable> trainable = model.trainableWeights();
        for (List<String> group : groups) {
            for (Variable v : trainable) {
                for (String slot : group) {
                    Variable s = byPath.remove(o.name() + "/" + v.path().replace('/', '_') + "_" + slot);
                    if (s != null) {
                        r.add(s);
                    }
                }
            }
        }
        if (!byPath.isEmpty()) {
            throw new IllegalStateException("Optimizer '" + o.name() + "' has slots for variables the model no longer "
                    + "trains (" + byPath.keySet() + "); it was built before `trainable` changed. Compile again "
                    + "before saving");
        }
        return r;
    }

    /** Visits the model and every saveable layer under it as Keras's {@code _save_state} does, each once. */
    static void walk(Model model, BiConsumer<String, Layer> visitor) {
        walk(model, "", Collections.newSetFromMap(new IdentityHashMap<>()), visitor);
    }

    private static void walk(Layer layer, String path, Set<Layer> visited, BiConsumer<String, Layer> visitor) {
        if (!visited.add(layer)) {
            return;
        }
        visitor.accept(path, layer);
        for (Map.Entry<String, Object> child : children(layer).entrySet()) {
            String childPath = join(path, child.getKey());
            if (child.getValue() instanceof Layer l) {
                walk(l, childPath, visited, visitor);
            } else {
                Map<String, Integer> used = new HashMap<>();
                for (Object o : (Collection<?>) child.getValue()) {
                    Layer l = (Layer) o;
                    String name = Serialization.toSnakeCase(l.className());
                    Integer n = used.merge(name, 1, Integer::sum);
                    walk(l, join(childPath, n == 1 ? name : name + "_" + (n - 1)), visited, visitor);
                }
            }
        }
    }

    /** Keras's {@code _walk_saveable}: {@code layers} first for Sequential and Functional, then fields by name. */
    private static Map<String, Object> children(Layer layer) {
        Map<String, Object> r = new LinkedHashMap<>();
        if (layer instanceof Sequential || layer instanceof Model m && m.isFunctional()) {
            r.put("layers", layer.layers());
        }
        TreeMap<String, Object> fields = new TreeMap<>();
        for (Class<?> c = layer.getClass(); c != null && c != Layer.class && c != Model.class && c != Sequential.class;
                c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Object v;
                try {
                    f.setAccessible(true);
                    v = f.get(layer);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    continue;
                }
                String name = Serialization.toSnakeCase(f.getName());
                if (v instanceof Layer l && l != layer) {
                    fields.putIfAbsent(name, l);
                } else if (v instanceof Collection<?> col && !col.isEmpty() && allLayers(col)) {
                    fields.putIfAbsent(name, List.copyOf(col));
                }
            }
        }
        fields.keySet().removeAll(r.keySet());
        r.putAll(fields);
        return r;
    }

    private static boolean allLayers(Collection<?> col) {
        for (Object o : col) {
            if (!(o instanceof Layer)) {
                return false;
            }
        }
        return true;
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + "/" + b;
    }

    private static H5Group groupAt(H5Group root, String path) {
        H5Group g = root;
        for (String part : path.split("/")) {
            g = g.group(part);
        }
        return g;
    }
}
