package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.utils.NdArray;
import org.bytedeco.javacpp.Pointer;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.ndarray.buffer.DataStorageVisitor;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;

/** Conversions between keras-core and TensorFlow Java types. */
final class Tf {
    /** Scratch for host copies: TF's raw buffers copy fast to and from {@code byte[]}, slowly from NIO buffers. */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[1 << 16]);

    private Tf() {
    }

    static DataType dataType(DType t) {
        return switch (t) {
            case FLOAT32 -> DataType.DT_FLOAT;
            case FLOAT64 -> DataType.DT_DOUBLE;
            case INT32 -> DataType.DT_INT32;
            case INT64 -> DataType.DT_INT64;
            case UINT8 -> DataType.DT_UINT8;
            case BOOL -> DataType.DT_BOOL;
        };
    }

    static DType dtype(DataType t) {
        return switch (t) {
            case DT_FLOAT -> DType.FLOAT32;
            case DT_DOUBLE -> DType.FLOAT64;
            case DT_INT32 -> DType.INT32;
            case DT_INT64 -> DType.INT64;
            case DT_UINT8 -> DType.UINT8;
            case DT_BOOL -> DType.BOOL;
            default -> throw new IllegalArgumentException("Unsupported TensorFlow dtype " + t);
        };
    }

    static Class<? extends TType> type(DType t) {
        return switch (t) {
            case FLOAT32 -> TFloat32.class;
            case FLOAT64 -> TFloat64.class;
            case INT32 -> TInt32.class;
            case INT64 -> TInt64.class;
            case UINT8 -> TUint8.class;
            case BOOL -> TBool.class;
        };
    }

    static org.tensorflow.ndarray.Shape shape(Shape s) {
        return org.tensorflow.ndarray.Shape.of(s.dims());
    }

    static Shape shape(org.tensorflow.ndarray.Shape s) {
        if (s.isUnknown()) {
            throw new IllegalStateException("A TensorFlow tensor of unknown rank: every traced step has known shapes");
        }
        return Shape.of(s.asArray());
    }

    static TfTensor t(Tensor x) {
        if (!(x instanceof TfTensor tt)) {
            throw new IllegalArgumentException("Expected a tensor of the tensorflow backend; received " + x
                    + (x == null ? "" : " of backend " + x.backend().name()));
        }
        return tt;
    }

    /** Normalises a possibly negative axis. */
    static int axis(int axis, int rank) {
        return axis < 0 ? axis + rank : axis;
    }

    /** A new TensorFlow tensor holding a copy of {@code a}; owned by the caller. */
    static org.tensorflow.Tensor toTf(NdArray a) {
        org.tensorflow.Tensor t = org.tensorflow.Tensor.of(type(a.dtype()), shape(a.shape()));
        long n = a.shape().size() * a.dtype().byteSize();
        try {
            if (n > 0) {
                ByteBuffer src = a.buffer();
                ByteDataBuffer data = t.asRawTensor().data();
                long dst = src.isDirect() ? data.accept(NATIVE_ADDRESS) : 0L;
                if (dst != 0L) {
                    if (data.size() < n) {
                        throw new IllegalStateException("A tensor of " + data.size() + " bytes cannot hold "
                                + a.shape() + " " + a.dtype());
                    }
                    // One native copy into the tensor. TF Java's own copy from a NIO buffer into tensor memory goes
                    // byte by byte, so without the address the bytes would take a detour through a host array.
                    Pointer.memcpy(new Address(dst), new Pointer(src), n);
                } else {
                    byte[] buf = scratch(n);
                    src.get(buf, 0, (int) n);
                    data.write(buf, 0, (int) n);
                }
            }
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** The native address of a tensor's memory, from TF Java's raw buffer over it (0 for any other storage). */
    private static final DataStorageVisitor<Long> NATIVE_ADDRESS = new DataStorageVisitor<>() {
        @Override
        public Long visit(long address, long length, long scale) {
            return address;
        }

        @Override
        public Long fallback() {
            return 0L;
        }
    };

    /** A JavaCPP pointer at a native address it does not own (no deallocator): the target of one copy. */
    private static final class Address extends Pointer {
        Address(long address) {
            this.address = address;
        }
    }

    /** A new TensorFlow tensor holding a copy of {@code t}, copied natively (no host array); owned by the caller. */
    static org.tensorflow.Tensor copy(org.tensorflow.Tensor t) {
        return org.tensorflow.Tensor.of(type(dtype(t.dataType())), t.shape(), t.asRawTensor().data());
    }

    /** A host copy of a TensorFlow tensor. */
    static NdArray toNd(org.tensorflow.Tensor t) {
        DType dt = dtype(t.dataType());
        Shape s = Shape.of(t.shape().asArray());
        NdArray out = NdArray.zeros(dt, s);
        long n = s.size() * dt.byteSize();
        if (n > 0) {
            byte[] buf = scratch(n);
            t.asRawTensor().data().read(buf, 0, (int) n);
            out.buffer().duplicate().put(buf, 0, (int) n);
        }
        return out;
    }

    /** Copies a host tensor's bytes into {@code dst} at its position, advancing it, through the reused scratch. */
    static void copyTo(org.tensorflow.Tensor t, ByteBuffer dst) {
        long n = t.numBytes();
        if (n > dst.remaining()) {
            throw new BufferOverflowException();
        }
        if (n > 0) {
            byte[] buf = scratch(n);
            t.asRawTensor().data().read(buf, 0, (int) n);
            dst.put(buf, 0, (int) n);
        }
    }

    private static byte[] scratch(long n) {
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("Tensor too large to copy through the host: " + n + " bytes");
        }
        byte[] b = SCRATCH.get();
        if (b.length < n) {
            b = new byte[(int) n];
            SCRATCH.set(b);
        }
        return b;
    }

    /** Element-type order for numpy-style promotion of mixed operands. */
    static DType promote(DType a, DType b) {
        return rank(a) >= rank(b) ? a : b;
    }

    private static int rank(DType t) {
        return switch (t) {
            case BOOL -> 0;
            case UINT8 -> 1;
            case INT32 -> 2;
            case INT64 -> 3;
            case FLOAT32 -> 4;
            case FLOAT64 -> 5;
        };
    }
}
