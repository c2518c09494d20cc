package io.sparkkeras.models;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.callbacks.History;
import io.sparkkeras.layers.InputLayer;
import io.sparkkeras.layers.KerasTensor;
import io.sparkkeras.layers.Layer;
import io.sparkkeras.layers.Node;
import io.sparkkeras.losses.Loss;
import io.sparkkeras.losses.Losses;
import io.sparkkeras.metrics.Metric;
import io.sparkkeras.optimizers.Optimizer;
import io.sparkkeras.optimizers.Optimizers;
import io.sparkkeras.trainers.GradientReducer;
import io.sparkkeras.trainers.Trainer;
import io.sparkkeras.utils.BatchDataset;
import io.sparkkeras.utils.Configs;
import io.sparkkeras.utils.NdArray;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model: layers plus training. Keras's {@code keras.Model}, in its three forms:
 * <ul>
 *   <li>functional: {@code new Model(inputs, outputs)} over symbolic tensors (several inputs and outputs, shared
 *   layers);</li>
 *   <li>{@link Sequential}: a stack of layers;</li>
 *   <li>subclassed: extend {@code Model}, hold layers in fields, override {@link #call(Tensor, boolean)}.</li>
 * </ul>
 *
 * <pre>{@code
 * KerasTensor inputs = Input.of(784);
 * KerasTensor outputs = new Dense(10).apply(new Dense(64, "relu").apply(inputs));
 * Model model = new Model(inputs, outputs);
 * model.compile(new Adam(1e-3), SparseCategoricalCrossentropy.builder().fromLogits(true).build(), List.of("accuracy"));
 * History h = model.fit(x, y, new FitOptions().epochs(5).batchSize(128));
 * }</pre>
 *
 * <p>Not thread-safe: one thread trains or predicts at a time. {@link #close()} frees every variable.
 */
public class Model extends Layer {
    private final List<KerasTensor> graphInputs;
    private final List<KerasTensor> graphOutputs;
    private final List<Node> graphNodes;
    private final List<Layer> graphLayers;

    private Optimizer optimizer;
    private List<Loss> losses;
    private List<Object> lossSpecs = List.of();
    private List<Double> lossWeights;
    private List<Object> metricSpecs = List.of();
    private boolean jitCompile;
    private boolean compiled;
    private boolean stopTraining;
    private GradientReducer gradientReducer;
    private Trainer trainer;
    /**
     * The predict step, kept as Keras keeps {@code predict_function}: compiled once (traced once per batch shape on a
     * graph backend), not per call. Reset by {@code compile} and when layers are added.
     */
    private Trainer predictor;
    private History history;

    /** For subclassed models: hold layers in fields and override {@link #call(Tensor, boolean)}. */
    protected Model() {
        this((String) null);
    }

    protected Model(String name) {
        super(name);
        this.graphInputs = null;
        this.graphOutputs = null;
        this.graphNodes = null;
        this.graphLayers = null;
    }

    /** A functional model from one input to one output. */
    public Model(KerasTensor inputs, KerasTensor outputs) {
        this(List.of(inputs), List.of(outputs), null);
    }

    /**
     * A functional model.
     *
     * @param inputs  symbolic inputs, each from {@code Input.of}
     * @param outputs symbolic outputs reachable from them
     * @param name    or {@code null} for {@code "functional"}
     */
    public Model(List<KerasTensor> inputs, List<KerasTensor> outputs, String name) {
        super(name != null ? name : autoName("functional"));
        for (KerasTensor t : inputs) {
            if (!(t.node().layer() instanceof InputLayer)) {
                throw new IllegalArgumentException("Model inputs must come from Input.of(...); " + t
                        + " was produced by layer \"" + t.node().layer().name() + "\"");
            }
        }
        this.graphInputs = List.copyOf(inputs);
        this.graphOutputs = List.copyOf(outputs);
        this.graphNodes = topologicalNodes(inputs, outputs);
        // Keras's map_graph order: model.layers, the saved config and the weights file all follow it.
        this.graphLayers = List.copyOf(FunctionalConfig.operationOrder(graphInputs, graphOutputs));
        List<Shape> shapes = new ArrayList<>();
        for (KerasTensor t : inputs) {
            shapes.add(t.shape());
        }
        if (shapes.size() == 1) {
            buildFor(shapes.get(0));
        }
    }

    private static String autoName(String prefix) {
        return Configs.snakeCase(prefix) + "_" + Integer.toHexString(System.identityHashCode(new Object()));
    }

    private static List<Node> topologicalNodes(List<KerasTensor> inputs, List<KerasTensor> outputs) {
        Set<Node> inputNodes = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (KerasTensor t : inputs) {
            inputNodes.add(t.node());
        }
        List<Node> order = new ArrayList<>();
        Set<Node> done = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Node> visiting = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (KerasTensor o : outputs) {
            visit(o.node(), inputNodes, done, visiting, order);
        }
        for (KerasTensor t : inputs) {
            if (!done.contains(t.node())) {
                order.add(0, t.node());
                done.add(t.node());
            }
        }
        return order;
    }

    private static void visit(Node n, Set<Node> inputNodes, Set<Node> done, Set<Node> visiting, List<Node> order) {
        if (done.contains(n)) {
            return;
        }
        if (n.inputs().isEmpty() && !inputNodes.contains(n)) {
            throw new IllegalArgumentException("Graph disconnected: the output depends on input layer \""
                    + n.layer().name() + "\", which is not among the model's inputs");
        }
        visiting.add(n);
        for (KerasTensor t : n.inputs()) {
            visit(t.node(), inputNodes, done, visiting, order);
        }
        visiting.remove(n);
        done.add(n);
        order.add(n);
    }

    // ---- structure

    /** True for models built from symbolic inputs and outputs. */
    public final boolean isFunctional() {
        return graphNodes != null;
    }

    /** The symbolic inputs of a functional model. */
    public List<KerasTensor> inputs() {
        return graphInputs == null ? List.of() : graphInputs;
    }

    /** The symbolic outputs of a functional model. */
    public List<KerasTensor> outputs() {
        return graphOutputs == null ? List.of() : graphOutputs;
    }

    /** Per-sample input shapes the model expects (empty if not known yet). */
    public List<Shape> inputShapes() {
        List<Shape> r = new ArrayList<>();
        for (KerasTensor t : inputs()) {
            r.add(t.shape().dropFirst());
        }
        return r;
    }

    @Override
    public List<Layer> layers() {
        return graphLayers != null ? graphLayers : super.layers();
    }

    @Override
    public String className() {
        return isFunctional() && getClass() == Model.class ? "Functional" : super.className();
    }

    // ---- forward

    /**
     * Runs the model on a batch.
     *
     * @return one tensor per output
     */
    public List<Tensor> forward(List<Tensor> inputs, boolean training) {
        if (!isFunctional()) {
            return List.of(inputs.size() == 1 ? apply(inputs.get(0), training) : apply(inputs, training));
        }
        if (inputs.size() != graphInputs.size()) {
            throw new IllegalArgumentException("Model \"" + name() + "\" expects " + graphInputs.size()
                    + " input(s), but it received " + inputs.size());
        }
        Map<KerasTensor, Tensor> values = new IdentityHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            values.put(graphInputs.get(i), inputs.get(i));
        }
        for (Node n : graphNodes) {
            if (n.inputs().isEmpty()) {
                continue;
            }
            List<Tensor> args = new ArrayList<>(n.inputs().size());
            for (KerasTensor t : n.inputs()) {
                args.add(values.get(t));
            }
            Layer l = n.layer();
            if (l instanceof Model m && m.isFunctional()) {
                List<Tensor> outs = m.forward(args, training);
                for (int i = 0; i < outs.size(); i++) {
                    values.put(n.outputs().get(i), outs.get(i));
                }
            } else {
                values.put(n.outputs().get(0), l.apply(args, training));
            }
        }
        List<Tensor> r = new ArrayList<>(graphOutputs.size());
        for (KerasTensor t : graphOutputs) {
            r.add(values.get(t));
        }
        return r;
    }

    /** A functional model's single-output call; subclassed models override this. */
    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        if (!isFunctional()) {
            throw new IllegalStateException("Model \"" + name() + "\" is a subclassed model: override "
                    + "call(Tensor, boolean)");
        }
        return forward(List.of(inputs), training).get(0);
    }

    @Override
    protected Tensor call(List<Tensor> inputs, boolean training) {
        return isFunctional() ? forward(inputs, training).get(0) : super.call(inputs, training);
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        if (isFunctional()) {
            return graphOutputs.get(0).shape();
        }
        throw new UnsupportedOperationException("Subclassed model \"" + name() + "\" does not know its output shape; "
                + "override computeOutputShape");
    }

    @Override
    protected List<Shape> computeOutputShapes(List<Shape> inputShapes) {
        if (isFunctional()) {
            List<Shape> r = new ArrayList<>();
            for (KerasTensor t : graphOutputs) {
                r.add(t.shape());
            }
            return r;
        }
        return super.computeOutputShapes(inputShapes);
    }

    /** Number of outputs. */
    public int numOutputs() {
        return isFunctional() ? graphOutputs.size() : 1;
    }

    // ---- compile

    /**
     * Configures training.
     *
     * @param metrics ids ({@code "accuracy"}) or {@link Metric}s
     */
    public final void compile(Optimizer optimizer, Loss loss, List<?> metrics) {
        compile(new CompileOptions().optimizer(optimizer).loss(loss).metrics(metrics));
    }

    /** Configures training from Keras ids: {@code compile("adam", "sparse_categorical_crossentropy", List.of("accuracy"))}. */
    public final void compile(String optimizer, String loss, List<?> metrics) {
        compile(Optimizers.get(optimizer), loss, metrics);
    }

    public final void compile(Optimizer optimizer, String loss, List<?> metrics) {
        compile(new CompileOptions().optimizer(optimizer).loss(loss).metrics(metrics));
    }

    public final void compile(CompileOptions options) {
        if (options.optimizer == null) {
            throw new IllegalArgumentException("compile() needs an optimizer, e.g. new Adam(1e-3) or \"adam\"");
        }
        if (options.losses.isEmpty()) {
            throw new IllegalArgumentException("compile() needs a loss, e.g. \"sparse_categorical_crossentropy\"");
        }
        if (options.losses.size() != 1 && options.losses.size() != numOutputs()) {
            throw new IllegalArgumentException("Model \"" + name() + "\" has " + numOutputs() + " outputs but "
                    + options.losses.size() + " losses were given");
        }
        if (trainer != null) {
            trainer.close();
        }
        resetPredictFunction();
        this.optimizer = options.optimizer;
        this.losses = List.copyOf(options.losses);
        this.lossSpecs = List.copyOf(options.lossSpecs.size() == options.losses.size() ? options.lossSpecs
                : options.losses);
        this.lossWeights = options.lossWeights;
        this.metricSpecs = List.copyOf(options.metrics);
        this.jitCompile = options.jitCompile;
        this.compiled = true;
        this.trainer = null;
    }

    public final boolean isCompiled() {
        return compiled;
    }

    public final Optimizer optimizer() {
        return optimizer;
    }

    public final List<Loss> losses() {
        return losses;
    }

    /** The losses as given to compile: Keras ids or {@link Loss} objects (what {@code compile_config} records). */
    public final List<Object> lossSpecs() {
        return lossSpecs;
    }

    public final List<Double> lossWeights() {
        return lossWeights;
    }

    public final List<Object> metricSpecs() {
        return metricSpecs;
    }

    public final boolean jitCompile() {
        return jitCompile;
    }

    /** The compiled metrics, once resolved by the first fit or evaluate. */
    public final List<Metric> metrics() {
        return trainer == null ? List.of() : trainer.metrics();
    }

    /** Asks {@code fit} to stop after the current epoch (callbacks such as EarlyStopping). */
    public final void setStopTraining(boolean stop) {
        this.stopTraining = stop;
    }

    public final boolean stopTraining() {
        return stopTraining;
    }

    /** Sets how gradients are combined across workers before each optimizer step; {@code null} for none. */
    public final void setGradientReducer(GradientReducer reducer) {
        this.gradientReducer = reducer;
    }

    public final GradientReducer gradientReducer() {
        return gradientReducer;
    }

    /** The History of the last {@code fit}. */
    public final History history() {
        return history;
    }

    private Trainer predictor() {
        if (predictor != null && predictor.backend() != io.sparkkeras.backend.Backends.current()) {
            resetPredictFunction();
        }
        if (predictor == null) {
            predictor = new Trainer(this, true);
        }
        return predictor;
    }

    /** Drops the compiled predict step: the next predict compiles (traces) it anew. */
    protected final void resetPredictFunction() {
        if (predictor != null) {
            predictor.close();
            predictor = null;
        }
    }

    private Trainer trainer() {
        if (!compiled) {
            throw new IllegalStateException("You must call `compile()` before using the model \"" + name()
                    + "\" for training or evaluation");
        }
        if (trainer == null) {
            trainer = new Trainer(this);
        }
        return trainer;
    }

    // ---- fit / evaluate / predict

    /**
     * Trains on arrays with Keras's defaults: one epoch, batches of 32, shuffled, with the progress bar.
     *
     * <pre>{@code
     * History h = model.fit(x, y);
     * }</pre>
     */
    public final History fit(NdArray x, NdArray y) {
        return fit(x, y, new FitOptions());
    }

    /** Trains on arrays: {@code x} of shape {@code (n, ...)}, {@code y} of shape {@code (n,)} or {@code (n, k)}. */
    public final History fit(NdArray x, NdArray y, FitOptions options) {
        return fit(List.of(x), List.of(y), options);
    }

    /** Trains on arrays, one per model input and one per output. */
    public final History fit(List<NdArray> x, List<NdArray> y, FitOptions options) {
        history = trainer().fit(x, y, options);
        return history;
    }

    /** Trains on a batch source (Arrow batches, a Spark partition); batch size is the dataset's. */
    public final History fit(BatchDataset data, FitOptions options) {
        history = trainer().fit(data, options);
        return history;
    }

    /** Trains on Java arrays: images or feature rows and integer labels. */
    public final History fit(float[][] x, int[] y, FitOptions options) {
        return fit(NdArray.of(x), NdArray.of(y), options);
    }

    /**
     * Loss and metrics on arrays, Keras's {@code evaluate(..., return_dict=True)} with its defaults: batches of 32
     * and the progress bar ({@code verbose="auto"}).
     */
    public final Map<String, Double> evaluate(NdArray x, NdArray y) {
        return evaluate(x, y, 32, 1);
    }

    public final Map<String, Double> evaluate(NdArray x, NdArray y, int batchSize, int verbose) {
        return trainer().evaluate(List.of(x), List.of(y), batchSize, verbose);
    }

    /**
     * Loss and metrics with each sample weighted, as Keras's {@code evaluate(x, y, sample_weight=w)}: the weighted
     * means that {@code fit} with the same {@code sampleWeight} reports.
     */
    public final Map<String, Double> evaluate(NdArray x, NdArray y, NdArray sampleWeight, int batchSize,
                                              int verbose) {
        return trainer().evaluate(List.of(x), List.of(y), sampleWeight, batchSize, verbose);
    }

    public final Map<String, Double> evaluate(BatchDataset data, int verbose) {
        return trainer().evaluate(data, verbose);
    }

    /**
     * Predictions for every sample, batch by batch, with Keras's defaults: batches of 32 and the progress bar's
     * closing line ({@code verbose="auto"}). {@code predict(x, batchSize, 0)} is silent.
     */
    public final NdArray predict(NdArray x) {
        return predict(x, 32);
    }

    public final NdArray predict(NdArray x, int batchSize) {
        return predict(x, batchSize, 1);
    }

    /** @param verbose 0 silent, 1 the progress bar's closing line ({@code 313/313 - 0s 1ms/step}) */
    public final NdArray predict(NdArray x, int batchSize, int verbose) {
        return predictAll(List.of(x), batchSize, verbose).get(0);
    }

    /** Predictions of every output for several inputs. */
    public final List<NdArray> predictAll(List<NdArray> x, int batchSize) {
        return predictAll(x, batchSize, 1);
    }

    public final List<NdArray> predictAll(List<NdArray> x, int batchSize, int verbose) {
        return predictor().predict(x, batchSize, verbose);
    }

    /** Predictions over a batch source. */
    public final List<NdArray> predict(BatchDataset data) {
        return predict(data, 1);
    }

    public final List<NdArray> predict(BatchDataset data, int verbose) {
        return predictor().predict(data, verbose);
    }

    /** One optimizer step on one batch; returns the logs ({@code loss}, metrics). */
    public final Map<String, Double> trainOnBatch(NdArray x, NdArray y) {
        return trainer().trainOnBatch(List.of(x), List.of(y));
    }

    /**
     * Loss and metrics on one batch without updating the weights: Keras's {@code test_on_batch(x, y,
     * return_dict=True)}.
     */
    public final Map<String, Double> testOnBatch(NdArray x, NdArray y) {
        return trainer().testOnBatch(List.of(x), List.of(y));
    }

    /** Predictions for one batch. */
    public final NdArray predictOnBatch(NdArray x) {
        return predictor().predictOnBatch(List.of(x)).get(0);
    }

    // ---- summary and config

    /**
     * The layer named {@code name}, as Keras's {@code get_layer(name=...)}: for instance to build a feature
     * extractor from a trained model.
     * <pre>{@code
     * Layer embedding = model.getLayer("dense_1");
     * }</pre>
     */
    public final Layer getLayer(String name) {
        List<String> names = new ArrayList<>();
        for (Layer l : layers()) {
            if (l.name().equals(name)) {
                return l;
            }
            names.add(l.name());
        }
        throw new IllegalArgumentException("No such layer: " + name + ". Existing layers are: " + names + ".");
    }

    /** The layer at {@code index} of {@link #layers()}, as Keras's {@code get_layer(index=...)}. */
    public final Layer getLayer(int index) {
        List<Layer> ls = layers();
        if (index < 0 || index >= ls.size()) {
            throw new IllegalArgumentException("Was asked to retrieve layer at index " + index + " but model only has "
                    + ls.size() + " layers.");
        }
        return ls.get(index);
    }

    /** Prints Keras's summary table to stdout. */
    public final void summary() {
        System.out.print(Summary.of(this));
    }

    /** Keras's summary table as text. */
    public final String summaryString() {
        return Summary.of(this);
    }

    /**
     * For a functional model, Keras's Functional config: {@code name}, {@code trainable}, {@code layers} (each with
     * its {@code inbound_nodes}), {@code input_layers} and {@code output_layers}. Subclassed models return
     * {@code name} and {@code trainable}; override to add their arguments.
     */
    @Override
    public Map<String, Object> getConfig() {
        if (isFunctional()) {
            return FunctionalConfig.getConfig(this);
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name());
        c.put("trainable", trainable());
        return c;
    }

    /** Rebuilds a functional model from its Keras config (Keras's {@code functional_from_config}). */
    public static Model fromConfig(Map<String, Object> config) {
        return FunctionalConfig.fromConfig(config);
    }

    /** The graph's nodes in topological order, for {@link FunctionalConfig}; {@code null} unless functional. */
    final List<Node> graphNodes() {
        return graphNodes;
    }

    // ---- saving

    /**
     * Saves the model as a {@code .keras} file, as Keras 3 writes it: config, compile config, weights and optimizer
     * state. Python Keras 3 loads it with {@code keras.saving.load_model}.
     *
     * <pre>{@code
     * model.save(Path.of("model.keras"));
     * Model again = Models.load(Path.of("model.keras"));
     * }</pre>
     */
    public final void save(java.nio.file.Path path) {
        io.sparkkeras.saving.Models.save(this, path);
    }

    /** Saves weights (and optimizer state) only, as Keras's {@code save_weights} writes a {@code .weights.h5} file. */
    public final void saveWeights(java.nio.file.Path path) {
        io.sparkkeras.saving.Models.saveWeights(this, path);
    }

    /** Loads weights (and optimizer state, when present) saved by {@link #saveWeights} or Keras. */
    public final void loadWeights(java.nio.file.Path path) {
        io.sparkkeras.saving.Models.loadWeights(this, path);
    }

    @Override
    public void close() {
        if (trainer != null) {
            trainer.close();
            trainer = null;
        }
        resetPredictFunction();
        if (optimizer != null) {
            optimizer.close();
        }
        super.close();
    }
}
