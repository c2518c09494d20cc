package io.sparkkeras.backend.torch;

import ai.djl.ndarray.NDArray;
import io.sparkkeras.backend.Backend;
import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.utils.NdArray;

import java.nio.ByteBuffer;

/**
 * A {@link Tensor} over a DJL PyTorch {@link NDArray}. Owned by the scope that was current when it was made
 * (or, for a variable's value, by the variable).
 */
final class TorchTensor implements Tensor {
    private final TorchBackend backend;
    private final NDArray array;
    private final boolean shared;
    private Shape shape;

    TorchTensor(TorchBackend backend, NDArray array) {
        this(backend, array, false);
    }

    /** @param shared a cached constant: {@link #close()} leaves it alone */
    TorchTensor(TorchBackend backend, NDArray array, boolean shared) {
        this.backend = backend;
        this.array = array;
        this.shared = shared;
    }

    /** Wraps an op's result, moving it into the current scope if the op put it elsewhere. */
    static TorchTensor of(TorchBackend backend, NDArray result) {
        TorchScope scope = TorchScope.current(backend);
        if (result.getManager() != scope.manager()) {
            result.attach(scope.manager());
        }
        return new TorchTensor(backend, result);
    }

    NDArray array() {
        return array;
    }

    @Override
    public Shape shape() {
        Shape s = shape;
        if (s == null) {
            s = Shape.of(array.getShape().getShape());
            shape = s;
        }
        return s;
    }

    @Override
    public DType dtype() {
        return Torch.dtype(array.getDataType());
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public NdArray toNdArray() {
        NdArray out = NdArray.zeros(dtype(), shape());
        copyTo(out.buffer());
        return out;
    }

    /**
     * One copy, from a view of the tensor's own memory: DJL's {@code toByteBuffer()} would first copy it into a new
     * {@code byte[]} (a humongous allocation for a large gradient), and {@code toByteBuffer(true)} views it in place
     * (making a contiguous copy first only for a strided view).
     */
    @Override
    public void copyTo(ByteBuffer dst) {
        if (shape().size() == 0) {
            return;
        }
        dst.put(array.toByteBuffer(true));
    }

    @Override
    public double item() {
        if (array.getShape().size() != 1) {
            throw new IllegalStateException("item() needs a one-element tensor; this one has shape " + shape());
        }
        return switch (array.getDataType()) {
            case FLOAT32 -> array.toFloatArray()[0];
            case FLOAT64 -> array.toDoubleArray()[0];
            case INT32 -> array.toIntArray()[0];
            case INT64 -> array.toLongArray()[0];
            case BOOLEAN -> array.toBooleanArray()[0] ? 1 : 0;
            default -> array.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray()[0];
        };
    }

    @Override
    public void close() {
        if (!shared) {
            array.close();
        }
    }

    @Override
    public String toString() {
        return "TorchTensor(shape=" + shape() + ", dtype=" + dtype() + ")";
    }
}
