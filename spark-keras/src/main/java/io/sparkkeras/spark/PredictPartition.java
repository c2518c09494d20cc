package io.sparkkeras.spark;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.data.BatchLayout;
import io.sparkkeras.data.ColumnSpec;
import io.sparkkeras.data.PartitionReader;
import io.sparkkeras.models.Model;
import io.sparkkeras.utils.NdArray;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.StructType;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * {@link KerasModel#transform} in one task: reads the partition's rows in batches into one reused Arrow root, runs
 * the executor's cached model on each batch, and emits each input row joined with its raw prediction and
 * probability vectors and its prediction (an {@link OutputRow}: the vectors are built only if read). Rows the reader
 * skips as bad are dropped, or with {@code keepInvalid} emitted in place with null outputs. The model goes back to the
 * {@link ModelCache} when the partition ends (or the task does).
 */
final class PredictPartition implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
    private static final long serialVersionUID = 1L;
    /** Counters of this JVM (nanoseconds reading rows into Arrow, in predict, and rows predicted). */
    static final java.util.concurrent.atomic.AtomicLong READ_NS = new java.util.concurrent.atomic.AtomicLong();
    static final java.util.concurrent.atomic.AtomicLong PREDICT_NS = new java.util.concurrent.atomic.AtomicLong();
    static final java.util.concurrent.atomic.AtomicLong ROWS = new java.util.concurrent.atomic.AtomicLong();

    private final String cacheKey;
    private final Broadcast<byte[]> modelBytes;
    private final String backend;
    private final StructType schema;
    private final ColumnSpec spec;
    private final long[] featureShape;
    private final int batchSize;
    private final boolean raw;
    private final boolean probability;
    private final boolean prediction;
    private final boolean keepInvalid;
    private final OutputColumns columns;

    PredictPartition(String cacheKey, Broadcast<byte[]> modelBytes, String backend, StructType schema,
                     ColumnSpec spec, long[] featureShape, int batchSize, boolean raw, boolean probability,
                     boolean prediction, boolean keepInvalid, OutputColumns columns) {
        this.cacheKey = cacheKey;
        this.modelBytes = modelBytes;
        this.backend = backend;
        this.schema = schema;
        this.spec = spec;
        this.featureShape = featureShape;
        this.batchSize = batchSize;
        this.raw = raw;
        this.probability = probability;
        this.prediction = prediction;
        this.keepInvalid = keepInvalid;
        this.columns = columns;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<InternalRow> input) {
        return new Rows(input);
    }

    private final class Rows implements Iterator<InternalRow> {
        private final Iterator<InternalRow> input;
        /** The batch's input rows in order; with bad rows skipped, more than a batch are seen (arrays grow). */
        private InternalRow[] batch = new InternalRow[batchSize];
        /** Which seen rows the reader skipped as bad ({@code handleInvalid = "skip"} or {@code "keep"}). */
        private boolean[] skipped = new boolean[batchSize];
        private long skippedSoFar;
        /**
         * The batch's input rows, kept for the output rows: reused batch after batch ({@code copyFrom} keeps a row's
         * buffer when the next row fits), as Spark's operators reuse their output rows, so a 3 KB image row is not a
         * new allocation each time.
         */
        private UnsafeRow[] kept = new UnsafeRow[batchSize];
        private final PartitionReader reader;
        private BufferAllocator allocator;
        private VectorSchemaRoot root;
        private Model model;
        private float[] outputs;
        private int outputColumns;
        private int size;
        private int pos;
        /** The next good row's index among the model's outputs (rows kept as bad have none). */
        private int outputRow;
        private boolean done;

        Rows(Iterator<InternalRow> input) {
            this.input = input;
            // The reader pulls rows through this tee, which keeps a copy of each for the output row.
            Iterator<InternalRow> tee = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return Rows.this.input.hasNext();
                }

                @Override
                public InternalRow next() {
                    markSkipped();
                    InternalRow r = Rows.this.input.next();
                    if (size == batch.length) {
                        batch = Arrays.copyOf(batch, 2 * size);
                        kept = Arrays.copyOf(kept, 2 * size);
                        skipped = Arrays.copyOf(skipped, 2 * size);
                    }
                    skipped[size] = false;
                    batch[size] = keep(size, r);
                    size++;
                    return r;
                }
            };
            this.reader = PartitionReader.ofInternalRows(schema, tee, spec);
            TaskContext tc = TaskContext.get();
            if (tc != null) {
                tc.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> release());
            }
        }

        /** The reader writes or skips each row before it asks for the next: a new skip is the last row seen. */
        private void markSkipped() {
            long s = reader.skippedRows();
            if (s > skippedSoFar) {
                if (size > 0) {
                    skipped[size - 1] = true;
                }
                skippedSoFar = s;
            }
        }

        /** Drops the skipped rows from the batch, so the kept rows line up with the model's outputs; returns them. */
        private int dropSkipped() {
            int w = 0;
            for (int r = 0; r < size; r++) {
                if (!skipped[r]) {
                    batch[w++] = batch[r];
                }
            }
            size = w;
            return w;
        }

        /** With {@code keepInvalid} the skipped rows stay in the batch, flagged: the good ones are counted. */
        private int countGood() {
            int good = 0;
            for (int r = 0; r < size; r++) {
                good += skipped[r] ? 0 : 1;
            }
            return good;
        }

        private InternalRow keep(int i, InternalRow r) {
            if (!(r instanceof UnsafeRow u)) {
                return r == null ? null : r.copy();
            }
            UnsafeRow k = kept[i];
            if (k == null) {
                k = new UnsafeRow(u.numFields());
                k.pointTo(new byte[u.getSizeInBytes()], u.getSizeInBytes());   // copyFrom needs a byte[] row
                kept[i] = k;
            }
            k.copyFrom(u);
            return k;
        }

        @Override
        public boolean hasNext() {
            if (pos < size) {
                return true;
            }
            if (done) {
                return false;
            }
            while (input.hasNext()) {
                predictNextBatch();
                if (size > 0) {
                    return true;   // else every row of that batch was skipped: read on
                }
            }
            release();
            return false;
        }

        private void predictNextBatch() {
            if (model == null) {
                EngineThreads.fitToTask();
                model = ModelCache.borrow(cacheKey, backend, modelBytes::value);
                allocator = new RootAllocator();
                root = reader.layout().newRoot(allocator, batchSize);
            }
            size = 0;
            pos = 0;
            outputRow = 0;
            long t0 = System.nanoTime();
            int n = reader.fill(root, batchSize);
            markSkipped();
            int good = keepInvalid ? countGood() : dropSkipped();
            if (good != n) {
                throw new IllegalStateException("transform kept " + good + " rows of a batch of " + n);
            }
            long t1 = System.nanoTime();
            if (n == 0) {
                return;
            }
            BatchLayout layout = reader.layout();
            long[] dims = new long[featureShape.length + 1];
            dims[0] = n;
            System.arraycopy(featureShape, 0, dims, 1, featureShape.length);
            NdArray x = NdArray.wrap(layout.featureValues(root).getDataBuffer()
                    .nioBuffer(0, Math.toIntExact(n * layout.featureBytes())).order(ByteOrder.nativeOrder()),
                    DType.FLOAT32, Shape.of(dims));
            NdArray y;
            try (Backends.Selection s = Backends.use(backend)) {
                y = model.predictOnBatch(x);
            }
            outputColumns = y.shape().rank() < 2 ? 1 : Math.toIntExact(y.size() / n);
            outputs = y.toFloatArray();
            READ_NS.addAndGet(t1 - t0);
            PREDICT_NS.addAndGet(System.nanoTime() - t1);
            ROWS.addAndGet(n);
        }

        @Override
        public InternalRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            int i = pos++;
            InternalRow in = batch[i];
            batch[i] = null;
            if (keepInvalid && skipped[i]) {
                // A bad row kept: null outputs.
                return new JoinedRow(in, new GenericInternalRow((raw ? 1 : 0) + (probability ? 1 : 0)
                        + (prediction ? 1 : 0)));
            }
            int o = outputRow++;
            return new JoinedRow(in, new OutputRow(columns, outputs, o * outputColumns, outputColumns, raw,
                    probability, prediction));
        }

        private void release() {
            done = true;
            if (root != null) {
                root.close();
                root = null;
            }
            if (allocator != null) {
                allocator.close();
                allocator = null;
            }
            if (model != null) {
                ModelCache.giveBack(cacheKey, model);
                model = null;
            }
        }
    }
}
