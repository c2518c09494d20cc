package io.sparkkeras.backend;

import io.sparkkeras.utils.NdArray;

/**
 * A backend's storage for one {@link Variable}: a long-lived tensor outside every step scope (a
 * PyTorch leaf with {@code requires_grad} when trainable; a resource variable in TensorFlow). Owned by the
 * variable, freed by {@link #close()}.
 */
public interface VariableState extends AutoCloseable {

    /** The current value, valid until the next assignment. Do not close it. */
    Tensor value();

    /** Replaces the value; shapes and dtypes must match. */
    void assign(Tensor value);

    /** {@code value += delta}, in place where the backend can. */
    void assignAdd(Tensor delta);

    /** {@code value -= delta}, in place where the backend can. */
    void assignSub(Tensor delta);

    /** Replaces the value from host memory. */
    void assign(NdArray value);

    /** A host copy of the current value. */
    NdArray read();

    @Override
    void close();
}
