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
