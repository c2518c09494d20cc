package io.sparkkeras.trainers;

import io.sparkkeras.backend.Backend;
import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.GradientResult;
import io.sparkkeras.backend.Scope;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.StepFunction;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.callbacks.Callback;
import io.sparkkeras.callbacks.History;
import io.sparkkeras.callbacks.ProgbarLogger;
import io.sparkkeras.losses.Loss;
import io.sparkkeras.metrics.Mean;
import io.sparkkeras.metrics.Metric;
import io.sparkkeras.metrics.Metrics;
import io.sparkkeras.models.FitOptions;
import io.sparkkeras.models.Model;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Batch;
import io.sparkkeras.utils.BatchDataset;
import io.sparkkeras.utils.BatchIterator;
import io.sparkkeras.utils.NdArray;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop behind {@code fit}, {@code evaluate} and {@code predict}: Keras's {@code Trainer} and
 * {@code EpochIterator}. The steps are written against {@code Ops} and handed to the backend's
 * {@code compile}, so an eager backend runs them as they are and a graph backend traces them.
 *
 * <p>Each batch runs in its own backend {@link Scope}: every intermediate tensor is freed when the step ends.
 * Owned by its model; used on the training thread only.
 */
public final class Trainer implements AutoCloseable {
    private final Model model;
    private final Backend backend;
    private final Mean lossTracker;
    private final List<Metric> metrics = new ArrayList<>();
    private boolean metricsResolved;
    private List<Variable> trainable;
    private StepFunction trainFn;
    /** With a gradient reducer: the step's two halves, run on either side of the reduction. */
    private StepFunction gradientFn;
    private StepFunction applyFn;
    private StepFunction testFn;
    private StepFunction predictFn;
    private int numInputs = 1;
    private int numTargets = 1;

    public Trainer(Model model) {
        this(model, false);
    }

    /** @param predictOnly no loss or metrics: for {@code predict} on an uncompiled model */
    public Trainer(Model model, boolean predictOnly) {
        this.model = model;
        this.backend = Backends.current();
        this.lossTracker = predictOnly ? null : new Mean("loss");
    }

    public List<Metric> metrics() {
        return List.copyOf(metrics);
    }

    // ---- fit

    public History fit(List<NdArray> x, List<NdArray> y, FitOptions o) {
        DataChecks.check(model, x, y, "fit");
        List<NdArray> trainX = x;
        List<NdArray> trainY = y;
        NdArray sw = sampleWeights(o, y.get(0));
        BatchDataset validation = o.validationDatasetOrNull();
        if (o.validationSplitValue() > 0) {
            int n = x.get(0).length();
            int split = (int) Math.floor(n * (1 - o.validationSplitValue()));
            if (split == 0 || split == n) {
                throw new IllegalArgumentException("validation_split=" + o.validationSplitValue() + " leaves no "
                        + (split == 0 ? "training" : "validation") + " samples out of " + n);
            }
            trainX = rows(x, 0, split);
            trainY = rows(y, 0, split);
            validation = new ArrayDataset(rows(x, split, n), rows(y, split, n), null, o.validationBatchSizeValue(),
                    false, 0L);
            sw = sw == null ? null : sw.rows(0, split);
        } else if (o.validationXOrNull() != null) {
            DataChecks.check(model, List.of(o.validationXOrNull()), List.of(o.validationYOrNull()), "validation_data");
            validation = new ArrayDataset(List.of(o.validationXOrNull()), List.of(o.validationYOrNull()), null,
                    o.validationBatchSizeValue(), false, 0L);
        }
        ArrayDataset data = new ArrayDataset(trainX, trainY, sw, o.batchSize(), o.shuffleValue(), o.seedOrNull());
        return loop(data, validation, o);
    }

    public History fit(BatchDataset data, FitOptions o) {
        BatchDataset validation = o.validationDatasetOrNull();
        if (validation == null && o.validationXOrNull() != null) {
            validation = new ArrayDataset(List.of(o.validationXOrNull()), List.of(o.validationYOrNull()), null,
                    o.validationBatchSizeValue(), false, 0L);
        }
        return loop(data, validation, o);
    }

    private static List<NdArray> rows(List<NdArray> arrays, int from, int to) {
        List<NdArray> r = new ArrayList<>(arrays.size());
        for (NdArray a : arrays) {
            r.add(a.rows(from, to));
        }
        return r;
    }

    private NdArray sampleWeights(FitOptions o, NdArray y) {
        NdArray sw = checkedSampleWeights(o.sampleWeightOrNull(), y, "fit");
        Map<Integer, Double> cw = o.classWeightOrNull();
        if (cw == null) {
            return sw;
        }
        if (y.shape().rank() > 1 && y.shape().last() > 1) {
            throw new IllegalArgumentException("class_weight needs integer class labels of shape (n,); y has shape "
                    + y.shape());
        }
        int n = y.length();
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            int cls = (int) y.getDouble(i);
            Double v = cw.get(cls);
            if (v == null) {
                throw new IllegalArgumentException("class_weight has no entry for class " + cls + " (sample " + i
                        + "). Classes given: " + cw.keySet());
            }
            w[i] = (float) (v * (sw == null ? 1 : sw.getDouble(i)));
        }
        return NdArray.of(w);
    }

    /** A NaN or infinite weight would make the loss NaN without a word: refused, as NaN in x or y is. */
    private static NdArray checkedSampleWeights(NdArray sw, NdArray y, String where) {
        if (sw == null) {
            return null;
        }
        if (sw.length() != y.length()) {
            throw new IllegalArgumentException("sample_weight has " + sw.length() + " values but y has " + y.length()
                    + " samples");
        }
        DataChecks.checkFinite(sw, "sample_weight", where);
        return sw;
    }

    private History loop(BatchDataset data, BatchDataset validation, FitOptions o) {
        History history = new History();
        // Keras's order: the user's callbacks, then History, then the progress bar, so values callbacks add to the
        // logs (learning_rate) are recorded and shown.
        List<Callback> callbacks = new ArrayList<>(o.callbacksList());
        callbacks.add(history);
        if (o.verbose() > 0) {
            callbacks.add(new ProgbarLogger(o.verbose()));
        }
        long steps = o.stepsPerEpochValue() > 0 ? o.stepsPerEpochValue() : data.numBatches();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("epochs", o.epochs());
        params.put("steps", steps < 0 ? null : steps);
        params.put("verbose", o.verbose());
        for (Callback c : callbacks) {
            c.setModel(model);
            c.setParams(params);
        }
        trainable = null;
        model.setStopTraining(false);
        Map<String, Double> empty = Map.of();
        for (Callback c : callbacks) {
            c.onTrainBegin(empty);
        }
        Map<String, Double> logs = new LinkedHashMap<>();
        for (int epoch = o.initialEpochValue(); epoch < o.epochs(); epoch++) {
            resetMetrics();
            for (Callback c : callbacks) {
                c.onEpochBegin(epoch, empty);
            }
            int step = 0;
            try (BatchIterator it = data.iterator(epoch)) {
                while ((steps < 0 || step < steps) && it.hasNext()) {
                    for (Callback c : callbacks) {
                        c.onTrainBatchBegin(step, empty);
                    }
                    try (Batch b = it.next(); Scope s = backend.core().newScope()) {
                        trainStep(b);
                    }
                    Map<String, Double> batchLogs = new LazyLogs(this::currentLogs);
                    for (Callback c : callbacks) {
                        c.onTrainBatchEnd(step, batchLogs);
                    }
                    step++;
                }
            }
            if (step == 0) {
                throw new IllegalArgumentException("The training data produced no batch in epoch " + epoch
                        + ": is the dataset empty?");
            }
            logs = currentLogs();
            if (validation != null && (epoch + 1) % o.validationFreqValue() == 0) {
                for (Map.Entry<String, Double> e : evaluate(validation, o.validationStepsValue(), 0).entrySet()) {
                    logs.put("val_" + e.getKey(), e.getValue());
                }
            }
            for (Callback c : callbacks) {
                c.onEpochEnd(epoch, logs);
            }
            if (model.stopTraining()) {
                break;
            }
        }
        for (Callback c : callbacks) {
            c.onTrainEnd(logs);
        }
        return history;
    }

    /** One training step; the batch's tensors live in the caller's scope. */
    private void trainStep(Batch b) {
        List<Tensor> in = toTensors(b);
        resolveMetrics(in);
        if (trainable == null) {
            if (!model.isBuilt()) {
                // Keras builds a model on its first batch: subclassed and input-less models create weights here.
                model.forward(in.subList(0, numInputs), false);
            }
            trainable = model.trainableWeights();
            if (trainable.isEmpty()) {
                throw new IllegalStateException("Model \"" + model.name() + "\" has no trainable weights to train");
            }
        }
        GradientReducer reducer = model.gradientReducer();
        if (reducer != null) {
            reducedTrainStep(in, reducer);
            return;
        }
        if (trainFn == null) {
            trainFn = backend.core().compile("train_step", this::trainStepFn, model.jitCompile());
        }
        trainFn.apply(in);
    }

    /**
     * A training step whose gradients leave the step to be reduced (an allreduce across workers copies them to the
     * host, which a traced graph cannot do halfway): one compiled step computes the loss, the gradients and the
     * metrics and returns the gradients; the reducer runs on them; a second compiled step applies the reduced ones.
     * Eager backends run the same sequence.
     */
    private void reducedTrainStep(List<Tensor> in, GradientReducer reducer) {
        if (gradientFn == null) {
            gradientFn = backend.core().compile("train_step_gradients", this::gradientStepFn, model.jitCompile());
            applyFn = backend.core().compile("apply_gradients", grads -> {
                model.optimizer().apply(grads, trainable);
                return List.of();
            }, model.jitCompile());
        }
        List<Tensor> out = gradientFn.apply(in);
        applyFn.apply(reducer.reduce(out.subList(1, out.size())));
    }

    /** The first half of {@link #reducedTrainStep}: returns the loss, then one gradient per trainable weight. */
    private List<Tensor> gradientStepFn(List<Tensor> in) {
        GradientResult r = lossAndGradients(in);
        List<Tensor> out = new ArrayList<>(1 + trainable.size());
        out.add(r.value());
        out.addAll(r.gradients());
        return out;
    }

    private List<Tensor> trainStepFn(List<Tensor> in) {
        GradientResult r = lossAndGradients(in);
        model.optimizer().apply(r.gradients(), trainable);
        return List.of(r.value());
    }

    /**
     * What both train steps start with: the forward pass in training mode, the loss and its gradients, and the
     * metrics updated from this batch's predictions (which the optimizer step after it does not change).
     */
    private GradientResult lossAndGradients(List<Tensor> in) {
        List<Tensor> xs = in.subList(0, numInputs);
        List<Tensor> ys = in.subList(numInputs, numInputs + numTargets);
        Tensor sw = in.size() > numInputs + numTargets ? in.get(numInputs + numTargets) : null;
        Object[] preds = new Object[1];
        GradientResult r = backend.core().valueAndGrad(() -> {
            List<Tensor> p = model.forward(xs, true);
            preds[0] = p;
            return totalLoss(ys, p, sw);
        }, trainable);
        @SuppressWarnings("unchecked")
        List<Tensor> p = (List<Tensor>) preds[0];
        updateMetrics(r.value(), ys, p, sw, xs.get(0).shape().get(0));
        return r;
    }

    private Tensor totalLoss(List<Tensor> ys, List<Tensor> preds, Tensor sw) {
        List<Loss> losses = model.losses();
        List<Double> weights = model.lossWeights();
        Tensor total = null;
        for (int i = 0; i < preds.size(); i++) {
            Loss l = losses.size() == 1 ? losses.get(0) : losses.get(i);
            Tensor li = l.apply(ys.get(i), preds.get(i), sw);
            if (weights != null) {
                li = Ops.multiply(li, weights.get(i));
            }
            total = total == null ? li : Ops.add(total, li);
        }
        return total;
    }

    private void updateMetrics(Tensor loss, List<Tensor> ys, List<Tensor> preds, Tensor sw, long batch) {
        lossTracker.update(loss, Ops.scalar(batch));
        for (Metric m : metrics) {
            m.updateState(ys.get(0), Ops.stopGradient(preds.get(0)), sw);
        }
    }

    private void resolveMetrics(List<Tensor> in) {
        if (metricsResolved) {
            return;
        }
        metricsResolved = true;
        for (Object spec : model.metricSpecs()) {
            if (spec instanceof Metric m) {
                metrics.add(m);
            } else if ("accuracy".equals(spec) || "acc".equals(spec)) {
                Tensor y = in.get(numInputs);
                long cols = model.isFunctional() || model instanceof io.sparkkeras.models.Sequential
                        ? outputColumns() : -1;
                boolean sparse = y.shape().rank() == 1 || y.shape().rank() == 2 && y.shape().last() == 1 && cols != 1;
                metrics.add(Metrics.accuracy(model.losses().get(0).name(), cols, sparse));
            } else {
                metrics.add(Metrics.get(String.valueOf(spec)));
            }
        }
    }

    private long outputColumns() {
        try {
            List<Shape> in = model.inputShapes();
            if (in.isEmpty()) {
                return -1;
            }
            return model.computeOutputShape(in.get(0).prepend(Shape.UNKNOWN)).last();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private void resetMetrics() {
        lossTracker.resetState();
        for (Metric m : metrics) {
            m.resetState();
        }
    }

    private Map<String, Double> currentLogs() {
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", lossTracker.result());
        for (Metric m : metrics) {
            logs.put(m.name(), m.result());
        }
        return logs;
    }

    private List<Tensor> toTensors(Batch b) {
        numInputs = b.inputs().size();
        numTargets = b.targetList().size();
        List<Tensor> r = new ArrayList<>(numInputs + numTargets + 1);
        for (NdArray a : b.inputs()) {
            r.add(Ops.convertToTensor(a));
        }
        for (NdArray a : b.targetList()) {
            r.add(Ops.convertToTensor(a));
        }
        if (b.sampleWeights() != null) {
            r.add(Ops.convertToTensor(b.sampleWeights()));
        }
        return r;
    }

    // ---- evaluate

    public Map<String, Double> evaluate(List<NdArray> x, List<NdArray> y, int batchSize, int verbose) {
        return evaluate(x, y, null, batchSize, verbose);
    }

    /** @param sampleWeight each sample's weight in the loss and metrics, shape {@code (n,)}, or {@code null} */
    public Map<String, Double> evaluate(List<NdArray> x, List<NdArray> y, NdArray sampleWeight, int batchSize,
                                        int verbose) {
        DataChecks.check(model, x, y, "evaluate");
        NdArray sw = checkedSampleWeights(sampleWeight, y.get(0), "evaluate");
        return evaluate(new ArrayDataset(x, y, sw, batchSize, false, 0L), verbose);
    }

    public Map<String, Double> evaluate(BatchDataset data, int verbose) {
        return evaluate(data, -1, verbose);
    }

    /** @param maxSteps batches to evaluate, or {@code -1} for all */
    public Map<String, Double> evaluate(BatchDataset data, long maxSteps, int verbose) {
        resetMetrics();
        long t0 = System.nanoTime();
        long steps = 0;
        try (BatchIterator it = data.iterator(0)) {
            while ((maxSteps < 0 || steps < maxSteps) && it.hasNext()) {
                steps++;
                try (Batch b = it.next(); Scope s = backend.core().newScope()) {
                    List<Tensor> in = toTensors(b);
                    resolveMetrics(in);
                    if (testFn == null) {
                        testFn = backend.core().compile("test_step", this::testStepFn, model.jitCompile());
                    }
                    testFn.apply(in);
                }
            }
        }
        Map<String, Double> logs = currentLogs();
        if (verbose > 0) {
            System.out.println(ProgbarLogger.summaryLine(steps, System.nanoTime() - t0, logs));
        }
        return logs;
    }

    private List<Tensor> testStepFn(List<Tensor> in) {
        List<Tensor> xs = in.subList(0, numInputs);
        List<Tensor> ys = in.subList(numInputs, numInputs + numTargets);
        Tensor sw = in.size() > numInputs + numTargets ? in.get(numInputs + numTargets) : null;
        List<Tensor> preds = model.forward(xs, false);
        Tensor loss = totalLoss(ys, preds, sw);
        updateMetrics(loss, ys, preds, sw, xs.get(0).shape().get(0));
        return List.of(loss);
    }

    /** One step on one batch, outside {@code fit}: Keras's {@code train_on_batch}. */
    public Map<String, Double> trainOnBatch(List<NdArray> x, List<NdArray> y) {
        DataChecks.check(model, x, y, "train_on_batch");
        trainable = null;
        resetMetrics();
        try (Batch b = Batch.of(x, y, null, null); Scope s = backend.core().newScope()) {
            trainStep(b);
        }
        return currentLogs();
    }

    /** Loss and metrics on one batch, weights untouched (Keras's {@code test_on_batch}: metrics reset first). */
    public Map<String, Double> testOnBatch(List<NdArray> x, List<NdArray> y) {
        DataChecks.check(model, x, y, "test_on_batch");
        return evaluate(new ArrayDataset(x, y, null, Math.max(1, x.get(0).length()), false, 0L), 0);
    }

    // ---- predict

    /** @param verbose 0 silent, else Keras's closing line of the progress bar ({@code 313/313 - 0s 1ms/step}) */
    public List<NdArray> predict(List<NdArray> x, int batchSize, int verbose) {
        DataChecks.checkInputs(model, x, "predict");
        return predict(new ArrayDataset(x, List.of(), null, batchSize, false, 0L), verbose);
    }

    public List<NdArray> predict(BatchDataset data, int verbose) {
        List<List<NdArray>> parts = new ArrayList<>();
        long t0 = System.nanoTime();
        try (BatchIterator it = data.iterator(0)) {
            while (it.hasNext()) {
                try (Batch b = it.next()) {
                    parts.add(predictStep(b.inputs()));
                }
            }
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("predict received no samples");
        }
        if (verbose > 0) {
            System.out.println(ProgbarLogger.summaryLine(parts.size(), System.nanoTime() - t0, Map.of()));
        }
        List<NdArray> r = new ArrayList<>();
        for (int o = 0; o < parts.get(0).size(); o++) {
            List<NdArray> outs = new ArrayList<>(parts.size());
            for (List<NdArray> p : parts) {
                outs.add(p.get(o));
            }
            r.add(concat(outs));
        }
        return r;
    }

    /**
     * One batch, called directly, through the same compiled step as {@code predict} (Keras's
     * {@code predict_on_batch}). The model keeps one predict trainer, so a caller looping over batches traces once
     * per batch shape.
     */
    public List<NdArray> predictOnBatch(List<NdArray> x) {
        return predictStep(x);
    }

    /** The backend this trainer's steps were compiled for. */
    public Backend backend() {
        return backend;
    }

    /**
     * One batch of {@code predict}: Keras's {@code predict_function}, compiled once per trainer (traced once per
     * input signature on a graph backend) and run per batch.
     */
    private List<NdArray> predictStep(List<NdArray> x) {
        try (Scope s = backend.core().newScope()) {
            List<Tensor> in = toTensors(x);
            if (!model.isBuilt()) {
                // Build on the first batch outside the trace, as fit does, so weights are not created while tracing.
                return toHost(model.forward(in, false));
            }
            if (predictFn == null) {
                predictFn = backend.core().compile("predict_step", xs -> model.forward(xs, false),
                        model.jitCompile());
            }
            return toHost(predictFn.apply(in));
        }
    }

    private static List<Tensor> toTensors(List<NdArray> x) {
        List<Tensor> in = new ArrayList<>(x.size());
        for (NdArray a : x) {
            in.add(Ops.convertToTensor(a));
        }
        return in;
    }

    private static List<NdArray> toHost(List<Tensor> out) {
        List<NdArray> r = new ArrayList<>(out.size());
        for (Tensor t : out) {
            r.add(t.toNdArray());
        }
        return r;
    }

    private static NdArray concat(List<NdArray> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        int n = 0;
        for (NdArray p : parts) {
            n += p.length();
        }
        NdArray first = parts.get(0);
        NdArray out = NdArray.zeros(first.dtype(), first.shape().with(0, n));
        ByteBuffer dst = out.buffer();
        for (NdArray p : parts) {
            dst.put(p.buffer());
        }
        return out;
    }

    @Override
    public void close() {
        if (lossTracker != null) {
            lossTracker.close();
        }
        for (Metric m : metrics) {
            m.close();
        }
    }
}
