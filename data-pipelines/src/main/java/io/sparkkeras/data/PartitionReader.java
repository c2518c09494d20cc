package io.sparkkeras.data;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskContext$;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

import java.util.Iterator;

/**
 * Writes a DataFrame partition's rows into Arrow roots of a {@link BatchLayout}: what a Spark task sees in
 * {@code mapPartitions} becomes contiguous float features and an int32/float32 label, with no boxing.
 *
 * <p>The fast path takes Spark's {@link InternalRow}s ({@code df.queryExecution().toRdd()}): an {@code array<float>}
 * is copied with one memcpy per row from Spark's {@link UnsafeArrayData}, other types are read element by element
 * as primitives. {@link #ofRows} accepts public {@link Row}s and converts each one first (slower; for convenience).
 * The schema is checked once at construction; each row is checked as it is written (nulls, non-finite values,
 * lengths, label range), and a bad row either fails with its column, partition and offset, or is skipped and
 * counted, as the {@link ColumnSpec} says.
 *
 * <p>Owned by one thread (the task's). It holds no native memory: roots belong to whoever passes them in.
 *
 * <pre>{@code
 * rdd = df.queryExecution().toRdd().toJavaRDD().mapPartitions(it -> {
 *     PartitionReader reader = PartitionReader.ofInternalRows(schema, it, spec);
 *     try (ArrowTable table = reader.readAll(allocator, 4096)) { ... }
 * });
 * }</pre>
 */
public final class PartitionReader {
    private final ColumnSpec spec;
    private final int partitionId;
    private final Iterator<?> rows;
    private final scala.Function1<Object, Object> converter;
    private final RowWriter writer;
    private final boolean skipBad;

    private InternalRow pending;
    private long offset;
    private long skipped;
    private long written;

    private PartitionReader(StructType schema, Iterator<?> rows, scala.Function1<Object, Object> converter,
                            ColumnSpec spec, int partitionId) {
        this.spec = spec;
        this.partitionId = partitionId;
        this.rows = rows;
        this.converter = converter;
        this.writer = new RowWriter(schema, spec);
        this.skipBad = spec.badRowPolicy() == BadRowPolicy.SKIP;
    }

    /**
     * A reader of Spark's internal rows, as {@code df.queryExecution().toRdd()} yields them (rows may be reused by
     * the iterator: each is written before the next is asked for).
     *
     * @param schema      the DataFrame's schema ({@code df.schema()})
     * @param partitionId named in errors. Defaults to the running task's partition, or 0 outside a task.
     * @throws IllegalArgumentException if a column is missing or has an unsupported type
     */
    public static PartitionReader ofInternalRows(StructType schema, Iterator<InternalRow> rows, ColumnSpec spec,
                                                 int partitionId) {
        return new PartitionReader(schema, rows, null, spec, partitionId);
    }

    /** {@link #ofInternalRows(StructType, Iterator, ColumnSpec, int)} in the running task's partition. */
    public static PartitionReader ofInternalRows(StructType schema, Iterator<InternalRow> rows, ColumnSpec spec) {
        return ofInternalRows(schema, rows, spec, currentPartition());
    }

    /** A reader of public {@link Row}s (each converted to an internal row first). */
    public static PartitionReader ofRows(StructType schema, Iterator<Row> rows, ColumnSpec spec, int partitionId) {
        return new PartitionReader(schema, rows, CatalystTypeConverters.createToCatalystConverter(schema), spec,
                partitionId);
    }

    /** {@link #ofRows(StructType, Iterator, ColumnSpec, int)} in the running task's partition. */
    public static PartitionReader ofRows(StructType schema, Iterator<Row> rows, ColumnSpec spec) {
        return ofRows(schema, rows, spec, currentPartition());
    }

    /**
     * Checks that {@code schema} has the columns {@code spec} names, with supported types, before any job runs.
     *
     * @throws IllegalArgumentException naming the column, its type and what was expected
     */
    public static void validateSchema(StructType schema, ColumnSpec spec) {
        new RowWriter(schema, spec);
    }

    private static int currentPartition() {
        TaskContext tc = TaskContext.get();
        return tc == null ? 0 : tc.partitionId();
    }

    /**
     * The layout rows are written in. When the feature size is not fixed by the spec, the first rows are read to
     * find it (a partition with no usable row gives size 0).
     */
    public BatchLayout layout() {
        if (writer.layout() == null) {
            peekFeatureSize();
        }
        return writer.layout();
    }

    private void peekFeatureSize() {
        while (rows.hasNext()) {
            InternalRow row = nextRow();
            int d = row == null ? -1 : writer.measure(row);
            if (d >= 0) {
                pending = row;
                writer.setFeatureSize(d);
                return;
            }
            // A row we cannot measure is bad whatever the size: report or skip it now.
            int status = writer.bad(row == null ? RowWriter.NULL_ROW : RowWriter.NULL_VALUE,
                    writer.firstFeatureColumn());
            offset++;
            if (!skipBad) {
                throw new IllegalArgumentException(writer.badRowMessage(status, partitionId, offset - 1));
            }
            skipped++;
        }
        writer.setFeatureSize(0);
    }

    private InternalRow nextRow() {
        Object r = rows.next();
        if (converter != null && r != null) {
            return (InternalRow) converter.apply(r);
        }
        return (InternalRow) r;
    }

    /**
     * Writes the next rows into {@code root}, a root of {@link #layout()}, from row 0 up to {@code maxRows}, and sets
     * its row count.
     *
     * @return rows written; 0 at the end of the partition
     * @throws IllegalArgumentException on a bad row under {@link BadRowPolicy#FAIL}
     */
    public int fill(VectorSchemaRoot root, int maxRows) {
        BatchLayout l = layout();
        long featureBytes = l.featureBytes();
        long featuresAt = l.featuresAddress(root);
        long labelAt = l.labelAddress(root);
        long weightAt = l.weightAddress(root);
        int n = 0;
        while (n < maxRows) {
            InternalRow row;
            if (pending != null) {
                row = pending;
                pending = null;
            } else if (rows.hasNext()) {
                row = nextRow();
            } else {
                break;
            }
            int status = row == null ? writer.bad(RowWriter.NULL_ROW, null)
                    : writer.write(row, featuresAt + n * featureBytes, labelAt + 4L * n, weightAt + 4L * n);
            offset++;
            if (status == RowWriter.OK) {
                n++;
            } else if (skipBad) {
                skipped++;
            } else {
                throw new IllegalArgumentException(writer.badRowMessage(status, partitionId, offset - 1));
            }
        }
        written += n;
        root.setRowCount(n);
        return n;
    }

    /**
     * Reads the rest of the partition into a table of chunks of {@code chunkRows} rows.
     *
     * @param allocator the table's memory comes from it
     * @return a table owned by the caller
     */
    public ArrowTable readAll(BufferAllocator allocator, int chunkRows) {
        return ArrowTable.load(allocator, layout(), chunkRows, this::fill);
    }

    /**
     * The rest of the partition as a one-pass {@link ArrowSource}, read in chunks of {@code chunkRows} into one
     * reused root while the consumer works (with {@link ArrowDataset}'s prefetch, Spark's rows are read on the
     * producer thread): for {@code predict} over a partition, where one pass is all there is. For several epochs,
     * use {@link #readAll}.
     *
     * <p>Rows are then read on the prefetch thread, which gets the task's {@link TaskContext}.
     * {@link ArrowSource#open()} may be called once; the pass's root comes from {@code allocator} and is freed
     * when the pass closes.
     */
    public ArrowSource stream(BufferAllocator allocator, int chunkRows) {
        if (chunkRows < 1) {
            throw new IllegalArgumentException("Received an invalid value for `chunkRows`, expected a positive "
                    + "integer. Received: chunkRows=" + chunkRows);
        }
        BatchLayout l = layout();
        TaskContext task = TaskContext.get();
        return new ArrowSource() {
            private boolean opened;

            @Override
            public BatchLayout layout() {
                return l;
            }

            @Override
            public long rowCount() {
                return -1;
            }

            @Override
            public ArrowChunkReader open() {
                if (opened) {
                    throw new IllegalStateException("Partition " + partitionId + " can be read only once; use "
                            + "PartitionReader.readAll for several passes (epochs)");
                }
                opened = true;
                VectorSchemaRoot root = l.newRoot(allocator, chunkRows);
                return new ArrowChunkReader() {
                    private boolean closed;

                    @Override
                    public VectorSchemaRoot next() {
                        if (closed) {
                            return null;
                        }
                        if (task != null && TaskContext.get() == null) {
                            // A prefetch thread reads the task's rows: give it the task's context, as Spark's
                            // own input-feeding threads (PySpark's writer thread) do.
                            TaskContext$.MODULE$.setTaskContext(task);
                        }
                        return fill(root, chunkRows) == 0 ? null : root;
                    }

                    @Override
                    public void close() {
                        if (!closed) {
                            closed = true;
                            root.close();
                        }
                    }
                };
            }
        };
    }

    /** Rows consumed so far, good and bad: the next row's offset in the partition. */
    public long offset() {
        return offset;
    }

    /** Rows written so far. */
    public long rowsWritten() {
        return written;
    }

    /** Bad rows skipped so far (always 0 under {@link BadRowPolicy#FAIL}). */
    public long skippedRows() {
        return skipped;
    }

    public ColumnSpec spec() {
        return spec;
    }
}
