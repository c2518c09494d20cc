package io.sparkkeras.spark;

import io.sparkkeras.allreduce.Communicator;
import io.sparkkeras.allreduce.Endpoint;
import io.sparkkeras.allreduce.ReduceOp;
import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.callbacks.Callback;
import io.sparkkeras.data.ArrowDataset;
import io.sparkkeras.data.ArrowTable;
import io.sparkkeras.data.PartitionReader;
import io.sparkkeras.losses.Losses;
import io.sparkkeras.models.FitOptions;
import io.sparkkeras.models.Model;
import io.sparkkeras.optimizers.Optimizer;
import io.sparkkeras.optimizers.Optimizers;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One rank of the barrier stage (DESIGN.md §4): reads its partition into Arrow, loads the model, joins the ring
 * (one {@code BarrierTaskContext.allGather} of endpoints), agrees the steps per epoch, starts from rank 0's weights,
 * trains with gradients averaged every step and metrics averaged every epoch, checkpoints on rank 0, and returns a
 * {@link TaskResult}. Every wait is bounded by the spec's timeout.
 */
final class TrainTask extends AbstractFunction1<Iterator<InternalRow>, Iterator<TaskResult>> implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int CHUNK_ROWS = 4096;

    private final TrainSpec spec;

    TrainTask(TrainSpec spec) {
        this.spec = spec;
    }

    @Override
    public Iterator<TaskResult> apply(Iterator<InternalRow> rows) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        String address = ctx.getTaskInfos()[rank].address();
        String host = address.contains(":") ? address.substring(0, address.lastIndexOf(':')) : address;
        TaskResult result;
        EngineThreads.fitToTask();
        try (Backends.Selection backend = Backends.use(spec.backend)) {
            result = train(ctx, rank, host, rows);
        }
        return CollectionConverters.asScala(List.of(result).iterator());
    }

    private TaskResult train(BarrierTaskContext ctx, int rank, String host, Iterator<InternalRow> rows) {
        long timeoutNs = TimeUnit.SECONDS.toNanos(spec.timeoutSeconds);
        RandomSeeds.setRandomSeed(spec.seed);
        java.util.Iterator<InternalRow> source = CollectionConverters.asJava(rows);
        IndicatorTee tee = spec.validationIndicator < 0 ? null
                : new IndicatorTee(source, spec.validationIndicator, spec.schema.fieldNames()[spec.validationIndicator],
                rank);
        PartitionReader reader = PartitionReader.ofInternalRows(spec.schema, tee == null ? source : tee,
                spec.columns, rank);
        if (tee != null) {
            tee.reader = reader;
        }
        try (BufferAllocator allocator = new RootAllocator();
             ArrowTable part = reader.readAll(allocator, CHUNK_ROWS);
             Split split = tee == null ? Split.of(part, spec.validationFraction, allocator)
                     : Split.byIndicator(part, tee.finish(), allocator);
             Model model = compiled(ModelBytes.fromBytes(spec.modelBytes))) {
            // Rendezvous: the only Spark allGather of the job (about a second).
            Endpoint self = Endpoint.local(host);
            try {
                String[] all = ctx.allGather(self.toString());
                List<Endpoint> endpoints = Endpoint.parseAll(Arrays.asList(all));
                try (Communicator comm = new Communicator(new Communicator.Context()
                        .rank(rank).endpoints(endpoints)
                        .jobId(spec.jobId + "-s" + ctx.stageId() + "-a" + ctx.stageAttemptNumber())
                        .jobSecret(spec.jobSecret).peerTimeoutNs(timeoutNs).connectTimeoutNs(timeoutNs))) {
                    return train(comm, rank, host, split, reader.skippedRows(), model, allocator, timeoutNs);
                }
            } finally {
                self.releasePort();   // the communicator let go of it when it bound it, unless the rendezvous failed
            }
        }
    }

    /** @param skipped rows of this partition left out as bad ({@code handleInvalid = "skip"}) */
    private TaskResult train(Communicator comm, int rank, String host, Split split, long skipped, Model model,
                             BufferAllocator allocator, long timeoutNs) {
        long rows = split.train.rowCount();
        int featureSize = split.train.layout().featureSize();
        long expected = 1;
        for (long d : spec.featureShape) {
            expected *= d;
        }
        String problem = rows > 0 && featureSize != expected
                ? "partition " + rank + " has features of size " + featureSize + " (column(s) "
                + spec.columns.featureColumns() + "), expected " + expected + ", the size of the model's input shape "
                + Arrays.toString(spec.featureShape) : "";
        // Agree on the steps per epoch (and fail together): every rank runs the same number of steps.
        byte[][] gathered = comm.allgather(status(rows, skipped, problem));
        long minRows = Long.MAX_VALUE;
        long maxRows = 0;
        long allSkipped = 0;
        StringBuilder sizes = new StringBuilder();
        StringBuilder skips = new StringBuilder();
        for (int r = 0; r < gathered.length; r++) {
            ByteBuffer b = ByteBuffer.wrap(gathered[r]);
            long n = b.getLong();
            long k = b.getLong();
            String p = new String(gathered[r], 16, gathered[r].length - 16, StandardCharsets.UTF_8);
            if (!p.isEmpty()) {
                throw new IllegalArgumentException("Cannot train: " + p);
            }
            minRows = Math.min(minRows, n);
            maxRows = Math.max(maxRows, n);
            allSkipped += k;
            sizes.append(r == 0 ? "" : ", ").append(n);
            skips.append(r == 0 ? "" : ", ").append(k);
        }
        if (minRows < spec.batchSize) {
            throw new IllegalArgumentException("Received a partition with " + minRows + " training rows, expected at "
                    + "least batchSize=" + spec.batchSize + " rows on every worker (rows per worker: [" + sizes
                    + "]): use fewer workers (`numWorkers`), a smaller `batchSize`, or more data.");
        }
        long steps = minRows / spec.batchSize;
        long used = steps * spec.batchSize;
        if (rank == 0 && spec.progress != null && maxRows - used >= spec.batchSize) {
            // Every rank must run the same steps, so the smallest partition sets them; say so rather than let the
            // larger partitions' surplus sit out each epoch unnoticed. fit spread uneven partitions before, so
            // either bad rows were skipped unevenly, or the source gave other rows to this job than to fit's count.
            String cause = allSkipped > 0
                    ? "handleInvalid=\"" + spec.handleInvalid + "\" left out bad rows unevenly (skipped per worker ["
                    + skips + "]): drop or fix them in the DataFrame first (df.na().drop(), a filter), so fit can "
                    + "spread the rest evenly."
                    : "The partitions changed after fit counted them (a non-deterministic source?): cache the "
                    + "DataFrame, or df.repartition(numWorkers) it, first.";
            spec.progress.emit(String.format(Locale.ROOT, "Warning: rows per worker [%s]: every worker trains on "
                    + "%d steps x %d = %d rows per epoch, so up to %d rows of a worker (%.0f%%) sit out each epoch "
                    + "(a different random subset each epoch when shuffling). %s", sizes, steps, spec.batchSize, used,
                    maxRows - used, 100.0 * (maxRows - used) / maxRows, cause));
        }

        // Start from rank 0's weights, or from the last checkpoint rank 0 finds, and from its epoch.
        Checkpoints checkpoints = spec.checkpointDir == null ? null : new Checkpoints(spec.checkpointDir);
        float[] epochBox = new float[1];
        if (rank == 0 && checkpoints != null) {
            epochBox[0] = checkpoints.latestEpoch();
        }
        comm.broadcast(epochBox, 0);
        int initialEpoch = (int) epochBox[0];
        if (initialEpoch > 0) {
            // Every rank restores the same file (the directory is shared, as rank 0 may run anywhere on a retry):
            // weights and the optimizer's step count and slots, so Adam resumes where it was, on every rank alike.
            try (Model restored = ModelBytes.fromBytes(checkpoints.read(initialEpoch))) {
                model.setWeights(restored.getWeights());
                restoreOptimizerState(restored, model);
            }
        }
        broadcastWeights(comm, model);

        FusedGradientAverager averager = new FusedGradientAverager(comm);
        model.setGradientReducer(averager);
        EpochReducer epochs = new EpochReducer(comm, rank, spec, averager, steps, initialEpoch,
                split.validation == null ? 0 : split.validation.rowCount());
        int[] shape = new int[spec.featureShape.length];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = Math.toIntExact(spec.featureShape[i]);
        }
        long t0 = System.nanoTime();
        try (ArrowDataset data = ArrowDataset.builder(split.train).batchSize(spec.batchSize)
                .shuffle(spec.shuffle).seed(spec.seed + 7919L * rank).stepsPerEpoch(steps).featureShape(shape)
                .timeout(timeoutNs, TimeUnit.NANOSECONDS).allocator(allocator).build();
             ArrowDataset validation = split.validation == null || split.validation.rowCount() == 0 ? null
                     : ArrowDataset.builder(split.validation).batchSize(spec.batchSize).featureShape(shape)
                     .timeout(timeoutNs, TimeUnit.NANOSECONDS).allocator(allocator).build()) {
            FitOptions options = new FitOptions().epochs(spec.epochs).batchSize(spec.batchSize).verbose(0)
                    .initialEpoch(Math.min(initialEpoch, spec.epochs))
                    .callbacks(withUserCallbacks(epochs, rank == 0 ? checkpoints : null));
            if (validation != null) {
                options.validationData(validation);
            }
            model.fit(data, options);
        } finally {
            model.setGradientReducer(null);
        }
        TaskResult r = new TaskResult();
        r.rank = rank;
        r.host = host;
        r.rows = rows;
        r.stepsPerEpoch = steps;
        r.stepsRun = averager.steps();
        r.trainNs = System.nanoTime() - t0;
        r.allreduceNs = averager.allreduceNs();
        r.weightsChecksum = ModelBytes.weightsChecksum(model);
        r.initialEpoch = initialEpoch;
        if (rank == 0) {
            r.modelBytes = ModelBytes.toBytes(model);
            r.history = epochs.history;
            r.epochs = epochs.epochs;
        }
        return r;
    }

    /**
     * Copies the optimizer's step count and slots from a checkpoint's model, when it holds them for the same kind of
     * optimizer (a checkpoint saved uncompiled, or a different optimizer set on the estimator, starts fresh slots).
     */
    private static void restoreOptimizerState(Model from, Model to) {
        if (!from.isCompiled() || !to.isCompiled()) {
            return;
        }
        Optimizer src = from.optimizer();
        Optimizer dst = to.optimizer();
        if (!src.isBuilt() || !src.className().equals(dst.className())) {
            return;
        }
        dst.buildFor(to.trainableWeights());
        List<Variable> a = src.variables();
        List<Variable> b = dst.variables();
        if (a.size() != b.size()) {
            return;
        }
        // variables() is the step count, then the slots in creation order.
        for (int i = 1; i < a.size(); i++) {
            if (!a.get(i).shape().equals(b.get(i).shape())) {
                return;
            }
        }
        // Read and assigned together: one session run each on TensorFlow rather than one per slot.
        Variable.assign(b.subList(1, b.size()), Variable.numpy(a.subList(1, a.size())));
        // The learning rate too (a variable of the optimizer, as in Keras): a ReduceLROnPlateau may have lowered it.
        boolean rates = src.schedule() == null && dst.schedule() == null;
        dst.restoreCounters(src.iterations(), rates ? src.currentLearningRate() : null);
    }

    private static byte[] status(long rows, long skipped, String problem) {
        byte[] p = problem.getBytes(StandardCharsets.UTF_8);
        if (p.length > 1000) {
            p = Arrays.copyOf(p, 1000);
        }
        return ByteBuffer.allocate(16 + p.length).putLong(rows).putLong(skipped).put(p).array();
    }

    private static void broadcastWeights(Communicator comm, Model model) {
        List<NdArray> weights = model.getWeights();
        int total = 0;
        for (NdArray w : weights) {
            total += Math.toIntExact(w.size());
        }
        float[] flat = new float[total];
        int at = 0;
        for (NdArray w : weights) {
            float[] v = w.toFloatArray();
            System.arraycopy(v, 0, flat, at, v.length);
            at += v.length;
        }
        comm.broadcast(flat, 0);
        List<NdArray> received = new ArrayList<>(weights.size());
        at = 0;
        for (NdArray w : weights) {
            int n = Math.toIntExact(w.size());
            received.add(NdArray.of(Arrays.copyOfRange(flat, at, at + n), w.shape().intDims()));
            at += n;
        }
        model.setWeights(received);
    }

    /**
     * The epoch reducer first, so the user's callbacks see the logs of all ranks (the same on every rank); the
     * checkpoint last, so it holds what the user's callbacks changed (a learning rate lowered on a plateau), as
     * Keras's BackupAndRestore does when it is the last callback.
     *
     * @param checkpoints where rank 0 writes them; null on the other ranks
     */
    private io.sparkkeras.callbacks.Callback[] withUserCallbacks(EpochReducer epochs, Checkpoints checkpoints) {
        List<io.sparkkeras.callbacks.Callback> all = new ArrayList<>();
        all.add(epochs);
        all.addAll(spec.callbacks);
        if (checkpoints != null) {
            all.add(new CheckpointWriter(checkpoints));
        }
        return all.toArray(new io.sparkkeras.callbacks.Callback[0]);
    }

    /** The model compiled with the spec's overrides, or as it was saved. */
    private Model compiled(Model model) {
        if (spec.optimizer != null || spec.loss != null) {
            Optimizer opt = spec.optimizer != null ? Optimizers.get(spec.optimizer) : model.optimizer();
            if (spec.optimizer != null && spec.learningRate > 0) {
                opt.setLearningRate(spec.learningRate);
            }
            List<?> metrics = spec.metrics != null ? spec.metrics
                    : model.isCompiled() ? model.metricSpecs() : List.of();
            model.compile(opt, spec.loss != null ? Losses.get(spec.loss) : model.losses().get(0), metrics);
        } else if (spec.learningRate > 0 && model.isCompiled()) {
            model.optimizer().setLearningRate(spec.learningRate);
        }
        if (!model.isCompiled()) {
            throw new IllegalStateException("The model is not compiled: call model.compile(...) before setModel, "
                    + "or set `optimizer` and `loss` on the KerasEstimator");
        }
        return model;
    }

    /**
     * The partition's rows, split into training rows and (when asked for) validation rows: the last
     * {@code validationFraction} of them, or those {@code validationIndicatorCol} marks.
     */
    static final class Split implements AutoCloseable {
        final ArrowTable train;
        final ArrowTable validation;
        private final boolean owns;

        private Split(ArrowTable train, ArrowTable validation, boolean owns) {
            this.train = train;
            this.validation = validation;
            this.owns = owns;
        }

        static Split of(ArrowTable all, double fraction, BufferAllocator allocator) {
            long n = all.rowCount();
            long nVal = (long) Math.floor(n * fraction);
            if (fraction <= 0 || nVal == 0 || nVal == n) {
                return new Split(all, null, false);
            }
            boolean[] isValidation = new boolean[Math.toIntExact(n)];
            Arrays.fill(isValidation, Math.toIntExact(n - nVal), isValidation.length, true);
            return byIndicator(all, isValidation, allocator);
        }

        /** Training rows where {@code isValidation} is false, validation rows where it is true. */
        static Split byIndicator(ArrowTable all, boolean[] isValidation, BufferAllocator allocator) {
            if (isValidation.length != all.rowCount()) {
                throw new IllegalStateException("validation indicators for " + isValidation.length + " rows, read "
                        + all.rowCount());
            }
            int nVal = 0;
            for (boolean v : isValidation) {
                nVal += v ? 1 : 0;
            }
            if (nVal == 0) {
                return new Split(all, null, false);
            }
            int d = all.layout().featureSize();
            float[] x = all.featuresToArray();
            double[] y = all.labelsToArray();
            float[] w = all.layout().hasSampleWeight() ? all.weightsToArray() : null;
            boolean ints = all.layout().labelType() == DType.INT32;
            ArrowTable train = pick(allocator, x, d, y, w, ints, isValidation, false, isValidation.length - nVal);
            try {
                return new Split(train, pick(allocator, x, d, y, w, ints, isValidation, true, nVal), true);
            } catch (RuntimeException e) {
                train.close();
                throw e;
            }
        }

        /**
         * The {@code n} rows whose {@code isValidation} equals {@code side}, in order, as a table (with their sample
         * weights when there are any).
         */
        private static ArrowTable pick(BufferAllocator allocator, float[] x, int d, double[] y, float[] w,
                                       boolean ints, boolean[] isValidation, boolean side, int n) {
            float[] xs = new float[n * d];
            int[] yi = ints ? new int[n] : null;
            float[] yf = ints ? null : new float[n];
            float[] ws = w == null ? null : new float[n];
            for (int r = 0, i = 0; r < isValidation.length; r++) {
                if (isValidation[r] != side) {
                    continue;
                }
                System.arraycopy(x, r * d, xs, i * d, d);
                if (ints) {
                    yi[i] = (int) y[r];
                } else {
                    yf[i] = (float) y[r];
                }
                if (ws != null) {
                    ws[i] = w[r];
                }
                i++;
            }
            return ArrowTable.fromNdArrays(allocator, NdArray.of(xs, n, d), ints ? NdArray.of(yi) : NdArray.of(yf),
                    ws == null ? null : NdArray.of(ws), CHUNK_ROWS);
        }

        @Override
        public void close() {
            if (owns) {
                validation.close();
                train.close();
            }
        }
    }

    /**
     * Passes a partition's rows on to the reader, noting each kept row's {@code validationIndicatorCol}: a row the
     * reader skips as bad ({@code handleInvalid = "skip"}) is dropped from the notes too, so they line up with the
     * rows read. The reader writes or skips each row before it asks for the next.
     */
    static final class IndicatorTee implements java.util.Iterator<InternalRow> {
        private final java.util.Iterator<InternalRow> rows;
        private final int column;
        private final String name;
        private final int rank;
        PartitionReader reader;
        private boolean[] isValidation = new boolean[1024];
        private int kept;
        private long seen;
        private long skippedSoFar;

        IndicatorTee(java.util.Iterator<InternalRow> rows, int column, String name, int rank) {
            this.rows = rows;
            this.column = column;
            this.name = name;
            this.rank = rank;
        }

        @Override
        public boolean hasNext() {
            return rows.hasNext();
        }

        @Override
        public InternalRow next() {
            dropSkipped();
            InternalRow r = rows.next();
            if (r.isNullAt(column)) {
                throw new IllegalArgumentException("Bad row in partition " + rank + " at offset " + seen + ": column `"
                        + name + "` (`validationIndicatorCol`) is null, expected true (validation) or false "
                        + "(training)");
            }
            if (kept == isValidation.length) {
                isValidation = Arrays.copyOf(isValidation, 2 * kept);
            }
            isValidation[kept++] = r.getBoolean(column);
            seen++;
            return r;
        }

        private void dropSkipped() {
            long s = reader.skippedRows();
            kept -= Math.toIntExact(s - skippedSoFar);
            skippedSoFar = s;
        }

        /** Whether each row read is a validation row, once the reader has read them all. */
        boolean[] finish() {
            dropSkipped();
            return Arrays.copyOf(isValidation, kept);
        }
    }

    /** Rank 0's model after each epoch, to {@code checkpointDir}: the state a retried stage resumes from. */
    static final class CheckpointWriter extends Callback {
        private final Checkpoints checkpoints;

        CheckpointWriter(Checkpoints checkpoints) {
            this.checkpoints = checkpoints;
        }

        @Override
        public void onEpochEnd(int epoch, Map<String, Double> logs) {
            checkpoints.write(epoch + 1, ModelBytes.toBytes(model()));
        }
    }

    /**
     * At each epoch's end: reduces the logs (loss, metrics, validation metrics weighted by each rank's validation
     * rows) over all ranks with one small allreduce, records them and prints progress on rank 0.
     */
    static final class EpochReducer extends Callback {
        private final Communicator comm;
        private final int rank;
        private final TrainSpec spec;
        private final FusedGradientAverager averager;
        private final long steps;
        private final int initialEpoch;
        private final long validationRows;
        final LinkedHashMap<String, ArrayList<Double>> history = new LinkedHashMap<>();
        final List<Integer> epochs = new ArrayList<>();
        private long epochStartNs;
        private long allreduceAtStartNs;

        EpochReducer(Communicator comm, int rank, TrainSpec spec, FusedGradientAverager averager, long steps,
                     int initialEpoch, long validationRows) {
            this.comm = comm;
            this.rank = rank;
            this.spec = spec;
            this.averager = averager;
            this.steps = steps;
            this.initialEpoch = initialEpoch;
            this.validationRows = validationRows;
        }

        private void injectFault() {
            if (spec.fault.equals("throw")) {
                throw new IllegalStateException("injected fault: rank " + rank + " fails at the end of an epoch");
            }
            // "hang": a silent peer (stuck, or a JVM stopped without closing its connections).
            // It ends when Spark kills the task (the stage failed) or after 3 timeouts, so it never holds a slot.
            org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
            long deadline = System.nanoTime() + 3 * TimeUnit.SECONDS.toNanos(spec.timeoutSeconds);
            while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()
                    && (task == null || !task.isInterrupted())) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            throw new IllegalStateException("injected fault: rank " + rank + " stopped hanging");
        }

        @Override
        public void onEpochBegin(int epoch, Map<String, Double> logs) {
            epochStartNs = System.nanoTime();
            allreduceAtStartNs = averager.allreduceNs();
        }

        @Override
        public void onEpochEnd(int epoch, Map<String, Double> logs) {
            // The fault strikes once: at the end of epoch 2 of a run from the start (checkpoint 1 is written), not in
            // a run that resumed.
            if (spec.fault != null && rank == spec.faultRank && initialEpoch == 0 && epoch == 1) {
                injectFault();
            }
            // Training logs: every rank ran the same steps of the same batch size, so their plain mean is the mean
            // over all samples. Validation logs: ranks hold different numbers of validation rows (perhaps none), so
            // each rank's counts by its rows, as Keras's evaluate over all of them would weigh them. A rank without
            // validation rows has no val_ logs: the names come from a rank that has them.
            List<String> keys = new ArrayList<>();
            StringBuilder localVal = new StringBuilder();
            for (String k : logs.keySet()) {
                if (k.startsWith("val_")) {
                    localVal.append(localVal.length() == 0 ? "" : "\n").append(k);
                } else {
                    keys.add(k);
                }
            }
            int trainKeys = keys.size();
            for (byte[] names : comm.allgather(localVal.toString().getBytes(StandardCharsets.UTF_8))) {
                if (names.length > 0) {
                    keys.addAll(Arrays.asList(new String(names, StandardCharsets.UTF_8).split("\n")));
                    break;
                }
            }
            // Then the validation rows, and each worker's allreduce time this epoch in its own slot, so the line
            // names the worker the others waited for (the one with the least).
            int n = comm.size();
            float[] values = new float[keys.size() + 1 + n];
            for (int i = 0; i < keys.size(); i++) {
                Double v = logs.get(keys.get(i));
                values[i] = i < trainKeys ? v.floatValue() : v == null ? 0 : (float) (v * validationRows);
            }
            values[keys.size()] = validationRows;
            values[keys.size() + 1 + rank] = (float) ((averager.allreduceNs() - allreduceAtStartNs) / 1e6 / steps);
            comm.allreduce(values, ReduceOp.SUM);
            float allValidationRows = values[keys.size()];
            epochs.add(epoch);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < keys.size(); i++) {
                double v = i < trainKeys ? values[i] / spec.numWorkers : values[i] / allValidationRows;
                logs.put(keys.get(i), v);
                history.computeIfAbsent(keys.get(i), k -> new ArrayList<>()).add(v);
                line.append(" - ").append(keys.get(i)).append(": ").append(String.format(Locale.ROOT, "%.4f", v));
            }
            if (rank == 0) {
                if (spec.progress != null) {
                    double seconds = (System.nanoTime() - epochStartNs) / 1e9;
                    double mean = 0;
                    StringBuilder perWorker = new StringBuilder();
                    for (int r = 0; r < n; r++) {
                        float ms = values[keys.size() + 1 + r];
                        mean += ms / n;
                        perWorker.append(r == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", ms));
                    }
                    spec.progress.emit(String.format(Locale.ROOT, "Epoch %d/%d - %d workers x %d steps - %.1fs%s - "
                                    + "allreduce %.2f ms/step%s", epoch + 1, spec.epochs, n, steps, seconds, line,
                            mean, n > 1 ? " (per worker: " + perWorker + ")" : ""));
                }
            }
        }
    }
}
