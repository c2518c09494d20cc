package io.sparkkeras.backend;

import io.sparkkeras.utils.NdArray;

import java.nio.ByteBuffer;

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

    /**
     * Copies the values into {@code dst} at its position, advancing it (eager tensors only): a host copy into a buffer
     * the caller reuses, such as a gradient fusion buffer, without the new buffer {@link #toNdArray} allocates.
     *
     * <pre>{@code
     * gradient.copyTo(fusion.slice(offset, bytes));
     * }</pre>
     *
     * @throws java.nio.BufferOverflowException if {@code dst} has fewer bytes remaining than the tensor holds
     */
    default void copyTo(ByteBuffer dst) {
        dst.put(toNdArray().buffer());
    }

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
