package io.sparkkeras.layers;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.initializers.Initializer;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;
import io.sparkkeras.utils.NdArray;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The base of every layer, as Keras's {@code keras.layers.Layer}. A subclass overrides:
 * <ul>
 *   <li>its constructor: validate and store the config;</li>
 *   <li>{@link #build(Shape)}: create weights with {@link #addWeight};</li>
 *   <li>{@link #call(Tensor, boolean)}: the math, against {@link Ops} only;</li>
 *   <li>{@link #computeOutputShape(Shape)} and {@link #getConfig()}.</li>
 * </ul>
 * {@link #apply} is final: it builds once, checks the {@link InputSpec}, casts float inputs to the layer's dtype and
 * records symbolic calls, so no subclass repeats that. Sub-layers held in fields (or in collections in fields) are
 * tracked automatically, as Keras tracks attributes.
 *
 * <pre>{@code
 * public final class Scale extends Layer {
 *     private Variable gamma;
 *     protected void build(Shape s) { gamma = addWeight("gamma", Shape.of(s.last()), Initializers.get("ones")); }
 *     protected Tensor call(Tensor x, boolean training) { return Ops.multiply(x, gamma.value()); }
 *     public Shape computeOutputShape(Shape s) { return s; }
 * }
 * }</pre>
 *
 * <p>Not thread-safe: a layer is built and called on one thread at a time. Its variables are freed by
 * {@link #close()}.
 */
public abstract class Layer implements AutoCloseable {
    private static final Map<String, AtomicInteger> NAME_UIDS = new ConcurrentHashMap<>();

    private final String name;
    private final DType dtype = DType.FLOAT32;
    private final List<Variable> ownWeights = new ArrayList<>();
    private boolean trainable = true;
    private boolean built;
    private Object buildShape;
    private InputSpec inputSpec;

    /** @param name the layer's name, or {@code null} for Keras's auto-name ({@code "dense"}, {@code "dense_1"}...) */
    protected Layer(String name) {
        this.name = name != null ? name : uniqueName(Configs.snakeCase(autoNamePrefix()));
    }

    /** The class name auto-names derive from; Keras's {@code InputLayer} names itself {@code input_layer}. */
    protected String autoNamePrefix() {
        return className();
    }

    /** Keras's {@code backend.get_uid}: {@code dense}, then {@code dense_1}, {@code dense_2}... */
    static String uniqueName(String prefix) {
        int n = NAME_UIDS.computeIfAbsent(prefix, k -> new AtomicInteger()).getAndIncrement();
        return n == 0 ? prefix : prefix + "_" + n;
    }

    // ---- identity

    public final String name() {
        return name;
    }

    /** Keras's class name, written in configs. */
    public String className() {
        return getClass().getSimpleName();
    }

    public final DType dtype() {
        return dtype;
    }

    public boolean trainable() {
        return trainable;
    }

    /** Freezes or unfreezes this layer and its sub-layers (Keras's {@code layer.trainable = False}). */
    public void setTrainable(boolean trainable) {
        this.trainable = trainable;
        for (Layer l : layers()) {
            l.setTrainable(trainable);
        }
    }

    public final boolean isBuilt() {
        return built;
    }

    // ---- the subclass contract

    /** Creates weights for inputs of {@code inputShape} (batch dimension unknown). Defaults to nothing. */
    protected void build(Shape inputShape) {
    }

    /** Build for a layer with several inputs; defaults to the single-input {@link #build(Shape)}. */
    protected void build(List<Shape> inputShapes) {
        build(single(inputShapes));
    }

    /** The layer's math. */
    protected abstract Tensor call(Tensor inputs, boolean training);

    /** The math for several inputs; defaults to the single-input {@link #call(Tensor, boolean)}. */
    protected Tensor call(List<Tensor> inputs, boolean training) {
        return call(single(inputs), training);
    }

    /** The output shape for an input shape; batch dimension may be unknown. */
    public abstract Shape computeOutputShape(Shape inputShape);

    /** The output shape for several inputs; defaults to the single-input form. */
    public Shape computeOutputShape(List<Shape> inputShapes) {
        return computeOutputShape(single(inputShapes));
    }

    /**
     * Every constructor argument, Keras-named, merged over this base config ({@code name}, {@code trainable},
     * {@code dtype}).
     */
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("trainable", trainable);
        c.put("dtype", Configs.serialized("keras", "DTypePolicy", Configs.of("name", dtype.kerasName())));
        return c;
    }

    /** Sets the spec {@link #apply} checks inputs against from now on. */
    protected final void setInputSpec(InputSpec spec) {
        this.inputSpec = spec;
    }

    private <T> T single(List<T> xs) {
        if (xs.size() != 1) {
            throw new IllegalArgumentException("Layer \"" + name + "\" expects 1 input, but it received "
                    + xs.size() + " input tensors");
        }
        return xs.get(0);
    }

    // ---- calling

    /** Calls the layer in inference mode. */
    public final Tensor apply(Tensor inputs) {
        return apply(inputs, false);
    }

    /**
     * Calls the layer, building it on first use.
     *
     * @param training whether dropout and batch statistics act as in training
     */
    public final Tensor apply(Tensor inputs, boolean training) {
        maybeBuild(inputs.shape());
        if (inputSpec != null) {
            inputSpec.check(name, inputs.shape());
        }
        return call(autocast(inputs), training);
    }

    /** Calls a layer with several inputs (merge layers). */
    public final Tensor apply(List<Tensor> inputs, boolean training) {
        if (inputs.size() == 1) {
            return apply(inputs.get(0), training);
        }
        List<Shape> shapes = new ArrayList<>(inputs.size());
        List<Tensor> cast = new ArrayList<>(inputs.size());
        for (Tensor t : inputs) {
            shapes.add(t.shape());
            cast.add(autocast(t));
        }
        maybeBuild(shapes);
        return call(cast, training);
    }

    /** Calls the layer on a symbolic tensor: builds it, infers the output shape and records the call. */
    public final KerasTensor apply(KerasTensor input) {
        return apply(List.of(input)).get(0);
    }

    /** Calls the layer on several symbolic tensors (merge layers, multi-input models). */
    public final KerasTensor apply(KerasTensor first, KerasTensor... more) {
        List<KerasTensor> all = new ArrayList<>();
        all.add(first);
        all.addAll(List.of(more));
        return apply(all).get(0);
    }

    /** Symbolic call on a list of tensors; returns one symbolic tensor per output. */
    public List<KerasTensor> apply(List<KerasTensor> inputs) {
        List<Shape> shapes = new ArrayList<>(inputs.size());
        for (KerasTensor t : inputs) {
            shapes.add(t.shape());
        }
        List<Shape> outShapes;
        if (shapes.size() == 1) {
            maybeBuild(shapes.get(0));
            if (inputSpec != null) {
                inputSpec.check(name, shapes.get(0));
            }
            outShapes = computeOutputShapes(List.of(shapes.get(0)));
        } else {
            maybeBuild(shapes);
            outShapes = computeOutputShapes(shapes);
        }
        return new Node(this, inputs, outShapes, dtype).outputs();
    }

    /** Output shapes of a symbolic call; models with several outputs override. */
    protected List<Shape> computeOutputShapes(List<Shape> inputShapes) {
        return List.of(inputShapes.size() == 1 ? computeOutputShape(inputShapes.get(0))
                : computeOutputShape(inputShapes));
    }

    private Tensor autocast(Tensor x) {
        return x.dtype().isFloatingPoint() && x.dtype() != dtype ? Ops.cast(x, dtype) : x;
    }

    private void maybeBuild(Shape shape) {
        if (!built) {
            build(shape);
            buildShape = shape;
            built = true;
        }
    }

    private void maybeBuild(List<Shape> shapes) {
        if (!built) {
            build(shapes);
            buildShape = List.copyOf(shapes);
            built = true;
        }
    }

    /** Builds the layer for {@code inputShape} without calling it (Keras's {@code layer.build}). */
    public final void buildFor(Shape inputShape) {
        maybeBuild(inputShape);
    }

    /** The shape the layer was built for: a {@link Shape} or a list of them; {@code null} before build. */
    public final Object buildInputShape() {
        return buildShape;
    }

    /** Keras's {@code build_config}: {@code {"input_shape": [...]}} once built, else {@code null}. */
    public Map<String, Object> getBuildConfig() {
        if (buildShape == null) {
            return null;
        }
        if (buildShape instanceof Shape s) {
            return Configs.of("input_shape", s.toList());
        }
        List<Object> shapes = new ArrayList<>();
        for (Object s : (List<?>) buildShape) {
            shapes.add(((Shape) s).toList());
        }
        return Configs.of("input_shape", shapes);
    }

    // ---- weights

    /**
     * Creates a weight of this layer, trainable.
     *
     * @param name Keras's weight name ({@code "kernel"}, {@code "bias"})
     */
    protected final Variable addWeight(String name, Shape shape, Initializer initializer) {
        return addWeight(name, shape, initializer, true);
    }

    /** Creates a weight; non-trainable ones (moving statistics) are updated by the layer itself. */
    protected final Variable addWeight(String name, Shape shape, Initializer initializer, boolean trainable) {
        Variable v = new Variable(this.name + "/" + name, shape, dtype, initializer, trainable);
        ownWeights.add(v);
        return v;
    }

    /** This layer's own weights, in creation order (Keras's save order), without sub-layers'. */
    public final List<Variable> ownWeights() {
        return List.copyOf(ownWeights);
    }

    /** All weights: own first, then each tracked sub-layer's, without duplicates. */
    public List<Variable> weights() {
        List<Variable> r = new ArrayList<>(ownWeights);
        Set<Variable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        seen.addAll(r);
        for (Layer l : layers()) {
            for (Variable v : l.weights()) {
                if (seen.add(v)) {
                    r.add(v);
                }
            }
        }
        return r;
    }

    /** Weights that gradient descent updates: those marked trainable, of trainable layers. */
    public List<Variable> trainableWeights() {
        if (!trainable) {
            return List.of();
        }
        List<Variable> r = new ArrayList<>();
        for (Variable v : ownWeights) {
            if (v.trainable()) {
                r.add(v);
            }
        }
        Set<Variable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        seen.addAll(r);
        for (Layer l : layers()) {
            for (Variable v : l.trainableWeights()) {
                if (seen.add(v)) {
                    r.add(v);
                }
            }
        }
        return r;
    }

    /** Weights not updated by gradients: moving statistics, and everything of a frozen layer. */
    public List<Variable> nonTrainableWeights() {
        List<Variable> all = weights();
        Set<Variable> t = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        t.addAll(trainableWeights());
        List<Variable> r = new ArrayList<>();
        for (Variable v : all) {
            if (!t.contains(v)) {
                r.add(v);
            }
        }
        return r;
    }

    /** Number of scalars in all weights. */
    public long countParams() {
        long n = 0;
        for (Variable v : weights()) {
            n += v.shape().size();
        }
        return n;
    }

    /** Host copies of all weights, in {@link #weights()} order (Keras's {@code get_weights}). */
    public List<NdArray> getWeights() {
        return new ArrayList<>(Variable.numpy(weights()));
    }

    /** Sets all weights from host arrays, in {@link #weights()} order (Keras's {@code set_weights}). */
    public void setWeights(List<NdArray> values) {
        List<Variable> ws = weights();
        if (values.size() != ws.size()) {
            throw new IllegalArgumentException("Layer \"" + name + "\" has " + ws.size() + " weights but "
                    + values.size() + " values were given");
        }
        Variable.assign(ws, values);
    }

    /**
     * Sub-layers held in fields of the subclass (directly, or in a collection), in field order: Keras's automatic
     * attribute tracking.
     */
    public List<Layer> layers() {
        List<Layer> r = new ArrayList<>();
        Set<Layer> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Class<?> c = getClass(); c != null && c != Layer.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Object v;
                try {
                    f.setAccessible(true);
                    v = f.get(this);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    continue;
                }
                if (v instanceof Layer l && l != this && seen.add(l)) {
                    r.add(l);
                } else if (v instanceof Collection<?> col) {
                    for (Object o : col) {
                        if (o instanceof Layer l && l != this && seen.add(l)) {
                            r.add(l);
                        }
                    }
                }
            }
        }
        return r;
    }

    /** Frees this layer's variables and its sub-layers'; idempotent. */
    @Override
    public void close() {
        for (Variable v : ownWeights) {
            v.close();
        }
        for (Layer l : layers()) {
            l.close();
        }
    }

    @Override
    public String toString() {
        return "<" + className() + " name=" + name + ", built=" + built + ">";
    }
}
