package io.sparkkeras.utils;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A host n-dimensional array: the role numpy arrays play for Keras. Data lives in one native-order
 * {@link ByteBuffer} (direct for arrays we allocate, so backends copy it into a tensor with one memcpy), row-major.
 *
 * <p>An {@code NdArray} made by {@link #wrap} shares the caller's buffer (an Arrow vector's, say) and is valid only
 * as long as that buffer is: its owner is the caller.
 *
 * <pre>{@code
 * NdArray x = NdArray.of(new float[][] {{1, 2}, {3, 4}});   // shape (2, 2)
 * NdArray y = NdArray.of(new int[] {0, 1});                 // shape (2,)
 * NdArray firstRow = x.rows(0, 1);                          // a view, shape (1, 2)
 * }</pre>
 */
public final class NdArray {
    private final DType dtype;
    private final Shape shape;
    private final ByteBuffer data;

    private NdArray(DType dtype, Shape shape, ByteBuffer data) {
        if (!shape.isFullyDefined()) {
            throw new IllegalArgumentException("An NdArray needs a fully defined shape. Received: shape=" + shape);
        }
        long bytes = shape.size() * dtype.byteSize();
        if (data.remaining() != bytes) {
            throw new IllegalArgumentException("Buffer holds " + data.remaining() + " bytes but shape " + shape
                    + " of " + dtype + " needs " + bytes);
        }
        this.dtype = dtype;
        this.shape = shape;
        this.data = data.slice().order(ByteOrder.nativeOrder());
    }

    /**
     * Wraps a buffer without copying. The buffer's remaining bytes must be exactly {@code shape.size()} elements.
     *
     * @param data native-order data, owned by the caller; it must outlive this array
     */
    public static NdArray wrap(ByteBuffer data, DType dtype, Shape shape) {
        return new NdArray(dtype, shape, data);
    }

    /** A zero-filled array in a new direct buffer. */
    public static NdArray zeros(DType dtype, Shape shape) {
        return new NdArray(dtype, shape, allocate(shape.size() * dtype.byteSize()));
    }

    /** A float32 array holding a copy of {@code values}, with the given shape. */
    public static NdArray of(float[] values, int... shape) {
        Shape s = shape.length == 0 ? Shape.of(values.length) : Shape.of(shape);
        checkCount(values.length, s);
        ByteBuffer b = allocate(4L * values.length);
        b.asFloatBuffer().put(values);
        return new NdArray(DType.FLOAT32, s, b);
    }

    /** A float32 array of shape {@code (rows, cols)}. */
    public static NdArray of(float[][] values) {
        int rows = values.length;
        int cols = rows == 0 ? 0 : values[0].length;
        ByteBuffer b = allocate(4L * rows * cols);
        java.nio.FloatBuffer f = b.asFloatBuffer();
        for (int r = 0; r < rows; r++) {
            if (values[r].length != cols) {
                throw new IllegalArgumentException("Rows have different lengths: row 0 has " + cols
                        + " values, row " + r + " has " + values[r].length);
            }
            f.put(values[r]);
        }
        return new NdArray(DType.FLOAT32, Shape.of(rows, cols), b);
    }

    /** A float32 array of shape {@code (n, rows, cols)}, images for example. */
    public static NdArray of(float[][][] values) {
        int n = values.length;
        int rows = n == 0 ? 0 : values[0].length;
        int cols = rows == 0 ? 0 : values[0][0].length;
        ByteBuffer b = allocate(4L * n * rows * cols);
        java.nio.FloatBuffer f = b.asFloatBuffer();
        for (int i = 0; i < n; i++) {
            if (values[i].length != rows) {
                throw new IllegalArgumentException("Sample " + i + " has " + values[i].length + " rows, expected " + rows);
            }
            for (int r = 0; r < rows; r++) {
                if (values[i][r].length != cols) {
                    throw new IllegalArgumentException("Sample " + i + " row " + r + " has " + values[i][r].length
                            + " values, expected " + cols);
                }
                f.put(values[i][r]);
            }
        }
        return new NdArray(DType.FLOAT32, Shape.of(n, rows, cols), b);
    }

    /** A float64 array holding a copy of {@code values}. */
    public static NdArray of(double[] values, int... shape) {
        Shape s = shape.length == 0 ? Shape.of(values.length) : Shape.of(shape);
        checkCount(values.length, s);
        ByteBuffer b = allocate(8L * values.length);
        b.asDoubleBuffer().put(values);
        return new NdArray(DType.FLOAT64, s, b);
    }

    /** An int32 array holding a copy of {@code values} (class labels, token ids). */
    public static NdArray of(int[] values, int... shape) {
        Shape s = shape.length == 0 ? Shape.of(values.length) : Shape.of(shape);
        checkCount(values.length, s);
        ByteBuffer b = allocate(4L * values.length);
        b.asIntBuffer().put(values);
        return new NdArray(DType.INT32, s, b);
    }

    /** An int64 array holding a copy of {@code values}. */
    public static NdArray of(long[] values, int... shape) {
        Shape s = shape.length == 0 ? Shape.of(values.length) : Shape.of(shape);
        checkCount(values.length, s);
        ByteBuffer b = allocate(8L * values.length);
        b.asLongBuffer().put(values);
        return new NdArray(DType.INT64, s, b);
    }

    private static void checkCount(int count, Shape s) {
        if (s.size() != count) {
            throw new IllegalArgumentException("Cannot give " + count + " values the shape " + s + " ("
                    + s.size() + " values)");
        }
    }

    private static ByteBuffer allocate(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("An NdArray holds at most 2 GiB; requested " + bytes + " bytes");
        }
        return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
    }

    public DType dtype() {
        return dtype;
    }

    public Shape shape() {
        return shape;
    }

    /** Number of elements. */
    public long size() {
        return shape.size();
    }

    /** Length of the first axis (the number of samples). */
    public int length() {
        return shape.rank() == 0 ? 1 : Math.toIntExact(shape.get(0));
    }

    /** The data, native order, position 0; a view shared with this array. */
    public ByteBuffer buffer() {
        return data.duplicate().order(ByteOrder.nativeOrder());
    }

    /** The elements as float (converting from any dtype). */
    public float[] toFloatArray() {
        int n = Math.toIntExact(size());
        float[] r = new float[n];
        switch (dtype) {
            case FLOAT32 -> buffer().asFloatBuffer().get(r);
            default -> {
                for (int i = 0; i < n; i++) {
                    r[i] = (float) getDouble(i);
                }
            }
        }
        return r;
    }

    /** The elements as int (converting from any dtype, truncating floats). */
    public int[] toIntArray() {
        int n = Math.toIntExact(size());
        int[] r = new int[n];
        if (dtype == DType.INT32) {
            buffer().asIntBuffer().get(r);
        } else {
            for (int i = 0; i < n; i++) {
                r[i] = (int) getDouble(i);
            }
        }
        return r;
    }

    /** The elements as long (converting from any dtype, truncating floats). */
    public long[] toLongArray() {
        int n = Math.toIntExact(size());
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
            r[i] = dtype == DType.INT64 ? data.getLong(i * 8) : (long) getDouble(i);
        }
        return r;
    }

    /** Element {@code index} of the flattened array, as a double. */
    public double getDouble(long index) {
        int i = Math.toIntExact(index);
        return switch (dtype) {
            case FLOAT32 -> data.getFloat(i * 4);
            case FLOAT64 -> data.getDouble(i * 8);
            case INT32 -> data.getInt(i * 4);
            case INT64 -> data.getLong(i * 8);
            case UINT8 -> data.get(i) & 0xFF;
            case BOOL -> data.get(i) != 0 ? 1 : 0;
        };
    }

    /** Bytes per sample (one index of the first axis). */
    public int rowBytes() {
        long per = shape.rank() == 0 ? 1 : shape.dropFirst().size();
        return Math.toIntExact(per * dtype.byteSize());
    }

    /** Samples {@code from} (inclusive) to {@code to} (exclusive) along the first axis, as a view without copying. */
    public NdArray rows(int from, int to) {
        int n = length();
        if (from < 0 || to > n || from > to) {
            throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ") of an array of " + n);
        }
        int rb = rowBytes();
        ByteBuffer b = data.duplicate();
        b.position(from * rb).limit(to * rb);
        return new NdArray(dtype, shape.with(0, to - from), b.slice());
    }

    /**
     * Gathers the samples at {@code indices[from..to)} into {@code into}, which must be an array of the same dtype
     * whose first axis holds at least {@code to - from} samples; returns a view of exactly those.
     */
    public NdArray gatherRows(int[] indices, int from, int to, NdArray into) {
        int rb = rowBytes();
        int count = to - from;
        if (into.dtype != dtype || into.rowBytes() != rb || into.length() < count) {
            throw new IllegalArgumentException("Cannot gather " + count + " rows of " + shape + " " + dtype
                    + " into " + into.shape + " " + into.dtype);
        }
        ByteBuffer dst = into.data.duplicate();
        ByteBuffer src = data.duplicate();
        for (int i = 0; i < count; i++) {
            int r = indices[from + i];
            src.limit((r + 1) * rb).position(r * rb);
            dst.position(i * rb);
            dst.put(src);
        }
        return count == into.length() ? into : into.rows(0, count);
    }

    /** A copy of the samples at {@code indices}, in a new array. */
    public NdArray takeRows(int[] indices) {
        NdArray out = zeros(dtype, shape.with(0, indices.length));
        return gatherRows(indices, 0, indices.length, out);
    }

    /** This data with another shape of the same size (a view). */
    public NdArray reshape(int... newShape) {
        Shape s = Shape.of(newShape);
        long known = 1;
        int unknownAt = -1;
        for (int i = 0; i < newShape.length; i++) {
            if (newShape[i] == -1) {
                unknownAt = i;
            } else {
                known *= newShape[i];
            }
        }
        if (unknownAt >= 0) {
            s = s.with(unknownAt, size() / known);
        }
        if (s.size() != size()) {
            throw new IllegalArgumentException("Cannot reshape an array of shape " + shape + " (" + size()
                    + " values) to " + Arrays.toString(newShape));
        }
        return new NdArray(dtype, s, data.duplicate());
    }

    @Override
    public String toString() {
        return "NdArray(shape=" + shape + ", dtype=" + dtype + ")";
    }
}
