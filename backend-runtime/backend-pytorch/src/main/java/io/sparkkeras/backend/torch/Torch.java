package io.sparkkeras.backend.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;

/** Conversions between keras-core and DJL types. */
final class Torch {
    private Torch() {
    }

    static DataType dataType(DType t) {
        return switch (t) {
            case FLOAT32 -> DataType.FLOAT32;
            case FLOAT64 -> DataType.FLOAT64;
            case INT32 -> DataType.INT32;
            case INT64 -> DataType.INT64;
            case UINT8 -> DataType.UINT8;
            case BOOL -> DataType.BOOLEAN;
        };
    }

    static DType dtype(DataType t) {
        return switch (t) {
            case FLOAT32 -> DType.FLOAT32;
            case FLOAT64 -> DType.FLOAT64;
            case INT32 -> DType.INT32;
            case INT64 -> DType.INT64;
            case UINT8 -> DType.UINT8;
            case BOOLEAN -> DType.BOOL;
            default -> throw new IllegalArgumentException("Unsupported PyTorch dtype " + t);
        };
    }

    /**
     * {@code value} as a 0-d tensor of {@code like}'s dtype, for an op with a number: use it instead of DJL's number
     * overloads ({@code a.div(6f)}). Those wrap a Java buffer in a tensor and close it right after the op, but
     * autograd keeps that tensor for the backward pass (div, mul, pow and maximum save their operand); once the JVM
     * collects the buffer and the memory is reused, backward reads it and the gradient is garbage, with no error. This
     * tensor is the backend's cached scalar, or one held by the current step's scope.
     */
    static NDArray number(TorchBackend b, NDArray like, double value) {
        return nd(b.core().scalar(value, dtype(like.getDataType())));
    }

    static ai.djl.ndarray.types.Shape shape(Shape s) {
        return new ai.djl.ndarray.types.Shape(s.dims());
    }

    static NDArray nd(Tensor t) {
        if (!(t instanceof TorchTensor tt)) {
            throw new IllegalArgumentException("Expected a tensor of the torch backend; received " + t
                    + (t == null ? "" : " of backend " + t.backend().name()));
        }
        return tt.array();
    }

    /** Normalises a possibly negative axis. */
    static int axis(int axis, int rank) {
        return axis < 0 ? axis + rank : axis;
    }
}
