package io.sparkkeras.backend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable tensor shape. A dimension of {@link #UNKNOWN} ({@code -1}) is Keras's {@code None}: the batch
 * dimension of a symbolic tensor, for example.
 *
 * <pre>{@code
 * Shape s = Shape.of(Shape.UNKNOWN, 28, 28);
 * s.toString();      // "(None, 28, 28)"
 * s.dropFirst();     // (28, 28)
 * }</pre>
 */
public final class Shape {
    /** An unknown dimension, Keras's {@code None}. */
    public static final int UNKNOWN = -1;

    private static final Shape SCALAR = new Shape(new long[0]);

    private final long[] dims;

    private Shape(long[] dims) {
        this.dims = dims;
    }

    /** A shape from its dimensions; {@code -1} marks an unknown one. */
    public static Shape of(long... dims) {
        for (long d : dims) {
            if (d < UNKNOWN) {
                throw new IllegalArgumentException("Received an invalid value for `shape`, expected dimensions "
                        + ">= 0 or -1 (None). Received: shape=" + Arrays.toString(dims));
            }
        }
        return dims.length == 0 ? SCALAR : new Shape(dims.clone());
    }

    /** A shape from its dimensions; {@code -1} marks an unknown one. */
    public static Shape of(int... dims) {
        long[] l = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            l[i] = dims[i];
        }
        return of(l);
    }

    /** A shape from a list of dimensions, {@code null} meaning unknown (as Keras's JSON writes them). */
    public static Shape of(List<? extends Number> dims) {
        long[] l = new long[dims.size()];
        for (int i = 0; i < l.length; i++) {
            Number n = dims.get(i);
            l[i] = n == null ? UNKNOWN : n.longValue();
        }
        return of(l);
    }

    public static Shape scalar() {
        return SCALAR;
    }

    public int rank() {
        return dims.length;
    }

    /** Dimension {@code axis}; a negative axis counts from the end. */
    public long get(int axis) {
        return dims[axis < 0 ? dims.length + axis : axis];
    }

    /** The last dimension. */
    public long last() {
        return dims[dims.length - 1];
    }

    /** A copy of the dimensions. */
    public long[] dims() {
        return dims.clone();
    }

    /** The dimensions as ints (all must be known). */
    public int[] intDims() {
        int[] r = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            r[i] = Math.toIntExact(dims[i]);
        }
        return r;
    }

    /** Number of elements; {@code -1} if any dimension is unknown. */
    public long size() {
        long n = 1;
        for (long d : dims) {
            if (d == UNKNOWN) {
                return UNKNOWN;
            }
            n *= d;
        }
        return n;
    }

    public boolean isFullyDefined() {
        for (long d : dims) {
            if (d == UNKNOWN) {
                return false;
            }
        }
        return true;
    }

    /** This shape without its first (batch) dimension. */
    public Shape dropFirst() {
        return new Shape(Arrays.copyOfRange(dims, 1, dims.length));
    }

    /** This shape with {@code dim} prepended (a batch dimension). */
    public Shape prepend(long dim) {
        long[] r = new long[dims.length + 1];
        r[0] = dim;
        System.arraycopy(dims, 0, r, 1, dims.length);
        return new Shape(r);
    }

    /** This shape with dimension {@code axis} replaced. */
    public Shape with(int axis, long dim) {
        long[] r = dims.clone();
        r[axis < 0 ? r.length + axis : axis] = dim;
        return new Shape(r);
    }

    /** The dimensions as a list, unknown ones as {@code null}, as Keras's JSON writes shapes. */
    public List<Long> toList() {
        List<Long> r = new ArrayList<>(dims.length);
        for (long d : dims) {
            r.add(d == UNKNOWN ? null : d);
        }
        return r;
    }

    /** True if the two shapes are equal where both are known. */
    public boolean isCompatibleWith(Shape other) {
        if (other.dims.length != dims.length) {
            return false;
        }
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] != UNKNOWN && other.dims[i] != UNKNOWN && dims[i] != other.dims[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape && Arrays.equals(dims, ((Shape) o).dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** Keras's tuple notation: {@code (None, 28, 28)}, {@code (10,)}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(dims[i] == UNKNOWN ? "None" : Long.toString(dims[i]));
        }
        if (dims.length == 1) {
            b.append(',');
        }
        return b.append(')').toString();
    }
}
