package io.sparkkeras.backend;

import io.sparkkeras.utils.NdArray;

/**
 * A backend tensor: a PyTorch array in eager mode, or a symbolic node while a TensorFlow step is traced. Layers,
 * losses and optimizers only pass tensors to {@link io.sparkkeras.ops.Ops}; they never look inside.
 *
 * <p>Owned by the {@link Scope} that was current when it was made, and freed when that scope closes; a tensor that
 * must outlive its scope is handed up with {@link Scope#keep(Tensor)}. {@link #close()} frees it early.
 */
public interface Tensor extends AutoCloseable {

    Shape shape();

    DType dtype();

    /** The backend that made this tensor. */
    Backend backend();

    /** A host copy of the values (eager tensors only). */
    NdArray toNdArray();

    /** The value of a one-element tensor, as a double (eager tensors only). */
    double item();

    /** The values as floats (eager tensors only). */
    default float[] toFloatArray() {
        return toNdArray().toFloatArray();
    }

    /** Frees the tensor now rather than when its scope closes; idempotent. */
    @Override
    void close();
}
