package io.sparkkeras.data;

import io.sparkkeras.backend.DType;
import io.sparkkeras.utils.NdArray;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Rows held in memory as Arrow chunks of one {@link BatchLayout}: a materialized Spark partition, a Fashion-MNIST
 * split, Java arrays. The table owns its chunks; readers opened on it share them without copying.
 *
 * <pre>{@code
 * try (BufferAllocator allocator = new RootAllocator();
 *      ArrowTable table = ArrowTable.fromArrays(allocator, new float[][] {{1, 2}, {3, 4}}, new int[] {0, 1})) {
 *     table.rowCount();   // 2
 * }
 * }</pre>
 */
public final class ArrowTable implements ArrowSource {
    /** Rows per chunk when not given. */
    public static final int DEFAULT_CHUNK_ROWS = 4096;

    /** Fills a root from row 0 with up to {@code maxRows} rows, sets its row count and returns it; 0 at the end. */
    @FunctionalInterface
    public interface RowFiller {
        int fill(VectorSchemaRoot root, int maxRows);
    }

    private final BatchLayout layout;
    private final List<VectorSchemaRoot> chunks;
    private final long rowCount;
    private boolean closed;

    private ArrowTable(BatchLayout layout, List<VectorSchemaRoot> chunks) {
        this.layout = layout;
        this.chunks = chunks;
        long n = 0;
        for (VectorSchemaRoot c : chunks) {
            n += c.getRowCount();
        }
        this.rowCount = n;
    }

    /**
     * A table filled chunk by chunk by {@code filler} until it returns 0.
     *
     * @param chunkRows rows per chunk, {@code >= 1}
     * @return a table owned by the caller
     */
    public static ArrowTable load(BufferAllocator allocator, BatchLayout layout, int chunkRows, RowFiller filler) {
        if (chunkRows < 1) {
            throw new IllegalArgumentException("Received an invalid value for `chunkRows`, expected a positive "
                    + "integer. Received: chunkRows=" + chunkRows);
        }
        List<VectorSchemaRoot> chunks = new ArrayList<>();
        try {
            while (true) {
                VectorSchemaRoot root = layout.newRoot(allocator, chunkRows);
                int n;
                try {
                    n = filler.fill(root, chunkRows);
                } catch (RuntimeException e) {
                    root.close();
                    throw e;
                }
                if (n == 0) {
                    root.close();
                    break;
                }
                chunks.add(root);
                if (n < chunkRows) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            closeAll(chunks, e);
            throw e;
        }
        return new ArrowTable(layout, chunks);
    }

    /** A table of the chunks read from {@code source} in one pass, copied. */
    public static ArrowTable copyOf(BufferAllocator allocator, ArrowSource source, int chunkRows) {
        try (ArrowChunkReader reader = source.open()) {
            BatchLayout layout = source.layout();
            int[] at = {0};
            VectorSchemaRoot[] current = {null};
            RowAddresses dst = new RowAddresses();
            RowAddresses src = new RowAddresses();
            return load(allocator, layout, chunkRows, (root, maxRows) -> {
                layout.addresses(root, dst);
                int n = 0;
                while (n < maxRows) {
                    if (current[0] == null || at[0] >= current[0].getRowCount()) {
                        current[0] = reader.next();
                        at[0] = 0;
                        if (current[0] == null) {
                            break;
                        }
                        layout.addresses(current[0], src);
                        continue;
                    }
                    layout.copyRow(src, at[0]++, dst, n++);
                }
                root.setRowCount(n);
                return n;
            });
        }
    }

    /** A table of {@code features} (row-major, {@code featureSize} per row) and int labels (or {@code null}). */
    public static ArrowTable fromArrays(BufferAllocator allocator, float[] features, int featureSize, int[] labels,
                                       int chunkRows) {
        int n = rows(features.length, featureSize, labels == null ? -1 : labels.length);
        return fromBuffers(allocator, ByteBuffer.wrap(toBytes(features)), n, featureSize,
                labels == null ? null : ByteBuffer.wrap(toBytes(labels)), DType.INT32, null, chunkRows);
    }

    /** A table of {@code features} (row-major, {@code featureSize} per row) and float labels. */
    public static ArrowTable fromArrays(BufferAllocator allocator, float[] features, int featureSize, float[] labels,
                                        int chunkRows) {
        int n = rows(features.length, featureSize, labels.length);
        return fromBuffers(allocator, ByteBuffer.wrap(toBytes(features)), n, featureSize,
                ByteBuffer.wrap(toBytes(labels)), DType.FLOAT32, null, chunkRows);
    }

    /** A table of one row per {@code features[i]} (all the same length) and int labels, in default chunks. */
    public static ArrowTable fromArrays(BufferAllocator allocator, float[][] features, int[] labels) {
        return fromNdArrays(allocator, NdArray.of(features), NdArray.of(labels), DEFAULT_CHUNK_ROWS);
    }

    /**
     * A table of keras-core arrays: {@code x} float32 of shape {@code (n, ...)} (flattened per sample), {@code y}
     * int32 or float32 of shape {@code (n,)}, or {@code null}.
     */
    public static ArrowTable fromNdArrays(BufferAllocator allocator, NdArray x, NdArray y, int chunkRows) {
        return fromNdArrays(allocator, x, y, null, chunkRows);
    }

    /**
     * A table of keras-core arrays with per-sample weights: {@code w} float32 of shape {@code (n,)}, or {@code null}.
     */
    public static ArrowTable fromNdArrays(BufferAllocator allocator, NdArray x, NdArray y, NdArray w,
                                          int chunkRows) {
        if (x.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("Received an invalid value for `x`, expected float32 features. "
                    + "Received: x=" + x);
        }
        int n = x.length();
        if (y != null && (y.shape().rank() != 1 || y.length() != n
                || (y.dtype() != DType.INT32 && y.dtype() != DType.FLOAT32))) {
            throw new IllegalArgumentException("Received an invalid value for `y`, expected int32 or float32 of "
                    + "shape (" + n + ",). Received: y=" + y);
        }
        if (w != null && (w.shape().rank() != 1 || w.length() != n || w.dtype() != DType.FLOAT32)) {
            throw new IllegalArgumentException("Received an invalid value for `sample_weight`, expected float32 of "
                    + "shape (" + n + ",). Received: sample_weight=" + w);
        }
        int d = n == 0 ? Math.toIntExact(x.shape().dropFirst().size()) : x.rowBytes() / 4;
        return fromBuffers(allocator, x.buffer(), n, d, y == null ? null : y.buffer(),
                y == null ? null : y.dtype(), w == null ? null : w.buffer(), chunkRows);
    }

    private static ArrowTable fromBuffers(BufferAllocator allocator, ByteBuffer x, int n, int d, ByteBuffer y,
                                          DType labelType, ByteBuffer w, int chunkRows) {
        BatchLayout layout = new BatchLayout(d, y == null ? null : labelType, w != null);
        ByteBuffer xs = x.duplicate().order(ByteOrder.nativeOrder());
        ByteBuffer ys = y == null ? null : y.duplicate().order(ByteOrder.nativeOrder());
        ByteBuffer ws = w == null ? null : w.duplicate().order(ByteOrder.nativeOrder());
        int[] at = {0};
        return load(allocator, layout, chunkRows, (root, maxRows) -> {
            int rows = Math.min(maxRows, n - at[0]);
            if (rows > 0) {
                long fb = layout.featureBytes();
                xs.limit((int) ((at[0] + rows) * fb)).position((int) (at[0] * fb));
                layout.featureValues(root).getDataBuffer().nioBuffer(0, (int) (rows * fb)).put(xs);
                if (ys != null) {
                    ys.limit(4 * (at[0] + rows)).position(4 * at[0]);
                    layout.labelVector(root).getDataBuffer().nioBuffer(0, 4 * rows).put(ys);
                }
                if (ws != null) {
                    ws.limit(4 * (at[0] + rows)).position(4 * at[0]);
                    layout.weightVector(root).getDataBuffer().nioBuffer(0, 4 * rows).put(ws);
                }
                at[0] += rows;
            }
            root.setRowCount(rows);
            return rows;
        });
    }

    private static int rows(int values, int featureSize, int labels) {
        if (featureSize < 1 || values % featureSize != 0) {
            throw new IllegalArgumentException("Received an invalid value for `featureSize`, expected a positive "
                    + "divisor of the " + values + " feature values. Received: featureSize=" + featureSize);
        }
        int n = values / featureSize;
        if (labels >= 0 && labels != n) {
            throw new IllegalArgumentException("Received " + n + " feature rows but " + labels + " labels; expected "
                    + "one label per row");
        }
        return n;
    }

    private static byte[] toBytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.nativeOrder());
        b.asFloatBuffer().put(v);
        return b.array();
    }

    private static byte[] toBytes(int[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.nativeOrder());
        b.asIntBuffer().put(v);
        return b.array();
    }

    @Override
    public BatchLayout layout() {
        return layout;
    }

    @Override
    public long rowCount() {
        return rowCount;
    }

    public int chunkCount() {
        return chunks.size();
    }

    /** Chunk {@code i}, owned by this table. */
    public VectorSchemaRoot chunk(int i) {
        checkOpen();
        return chunks.get(i);
    }

    /** The chunks, owned by this table. */
    public List<VectorSchemaRoot> chunks() {
        checkOpen();
        return Collections.unmodifiableList(chunks);
    }

    @Override
    public ArrowChunkReader open() {
        checkOpen();
        return new ArrowChunkReader() {
            private int next;

            @Override
            public VectorSchemaRoot next() {
                checkOpen();
                return next < chunks.size() ? chunks.get(next++) : null;
            }

            @Override
            public void close() {
                next = chunks.size();
            }
        };
    }

    /** The features of all rows, row-major (for tests and small data). */
    public float[] featuresToArray() {
        checkOpen();
        float[] r = new float[Math.toIntExact(rowCount * layout.featureSize())];
        int at = 0;
        for (VectorSchemaRoot c : chunks) {
            int k = c.getRowCount() * layout.featureSize();
            layout.featureValues(c).getDataBuffer().nioBuffer(0, 4 * k).order(ByteOrder.nativeOrder())
                    .asFloatBuffer().get(r, at, k);
            at += k;
        }
        return r;
    }

    /** The labels of all rows as doubles (for tests and small data). */
    public double[] labelsToArray() {
        checkOpen();
        if (!layout.hasLabel()) {
            throw new IllegalStateException("This table has no label column: " + layout);
        }
        double[] r = new double[Math.toIntExact(rowCount)];
        int at = 0;
        for (VectorSchemaRoot c : chunks) {
            ByteBuffer b = layout.labelVector(c).getDataBuffer().nioBuffer(0, 4 * c.getRowCount())
                    .order(ByteOrder.nativeOrder());
            for (int i = 0; i < c.getRowCount(); i++) {
                r[at++] = layout.labelType() == DType.INT32 ? b.getInt(4 * i) : b.getFloat(4 * i);
            }
        }
        return r;
    }

    /** The sample weights of all rows (for tests and small data). */
    public float[] weightsToArray() {
        checkOpen();
        if (!layout.hasSampleWeight()) {
            throw new IllegalStateException("This table has no sample weight column: " + layout);
        }
        float[] r = new float[Math.toIntExact(rowCount)];
        int at = 0;
        for (VectorSchemaRoot c : chunks) {
            layout.weightVector(c).getDataBuffer().nioBuffer(0, 4 * c.getRowCount()).order(ByteOrder.nativeOrder())
                    .asFloatBuffer().get(r, at, c.getRowCount());
            at += c.getRowCount();
        }
        return r;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("ArrowTable " + layout + " is closed");
        }
    }

    /** Frees every chunk, in reverse order; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeAll(chunks, null);
        }
    }

    private static void closeAll(List<VectorSchemaRoot> roots, Throwable primary) {
        RuntimeException first = null;
        for (int i = roots.size() - 1; i >= 0; i--) {
            try {
                roots.get(i).close();
            } catch (RuntimeException e) {
                if (primary != null) {
                    primary.addSuppressed(e);
                } else if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        roots.clear();
        if (first != null) {
            throw first;
        }
    }
}
