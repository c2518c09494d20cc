package io.sparkkeras.backend.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.VariableState;
import io.sparkkeras.utils.NdArray;

/**
 * A variable's storage: one PyTorch tensor in the backend's long-lived variables manager, a leaf with
 * {@code requires_grad} when trainable. Assignments copy in place (libtorch's {@code copy_} through
 * {@code index_put}), so tensors already holding {@link #value()} see the new value, as in Keras's torch backend.
 */
final class TorchVariable implements VariableState {
    private final TorchBackend backend;
    private final NDArray array;
    private final TorchTensor value;
    private final long[] zeros;
    private final long[] dims;
    private final long[] ones;
    private boolean closed;

    TorchVariable(TorchBackend backend, NdArray initial, boolean trainable) {
        this.backend = backend;
        // DJL wraps a direct buffer without copying: give the variable its own memory, or training would write
        // into the caller's array (setWeights, an initializer's output).
        NdArray own = NdArray.zeros(initial.dtype(), initial.shape());
        own.buffer().put(initial.buffer());
        this.array = backend.variablesManager().create(own.buffer(), Torch.shape(initial.shape()),
                Torch.dataType(initial.dtype()));
        if (trainable) {
            array.setRequiresGradient(true);
        }
        this.value = new TorchTensor(backend, array);
        this.dims = initial.shape().dims();
        this.zeros = new long[dims.length];
        this.ones = new long[dims.length];
        java.util.Arrays.fill(ones, 1);
    }

    NDArray array() {
        return array;
    }

    @Override
    public Tensor value() {
        check();
        return value;
    }

    @Override
    public void assign(Tensor t) {
        check();
        NDArray src = detached(t);
        if (dims.length == 0) {
            array.set(ownCopy(src.toType(array.getDataType(), false).toByteBuffer()));
        } else {
            JniUtils.indexSet((PtNDArray) array, (PtNDArray) src.toType(array.getDataType(), false), zeros, dims, ones);
        }
    }

    @Override
    public void assignAdd(Tensor delta) {
        check();
        array.addi(detached(delta));
    }

    @Override
    public void assignSub(Tensor delta) {
        check();
        array.subi(detached(delta));
    }

    private NDArray detached(Tensor t) {
        NDArray a = ((TorchTensor) t).array();
        // In grad mode (a moving statistic updated in the forward pass) an in-place update would record history.
        if (TorchScope.current(backend).gradMode) {
            NDArray d = a.stopGradient();
            d.attach(TorchScope.current(backend).manager());
            return d;
        }
        return a;
    }

    @Override
    public void assign(NdArray v) {
        check();
        array.set(ownCopy(v.buffer()));
    }

    /**
     * DJL's {@code set} of a direct buffer makes the tensor use that buffer as its storage, so hand it memory only
     * this variable holds: never the caller's array, nor a view of a step tensor that dies with its scope.
     */
    private static java.nio.ByteBuffer ownCopy(java.nio.ByteBuffer src) {
        java.nio.ByteBuffer copy = java.nio.ByteBuffer.allocateDirect(src.remaining()).order(java.nio.ByteOrder.nativeOrder());
        copy.put(src.duplicate()).flip();
        return copy;
    }

    @Override
    public NdArray read() {
        check();
        return value.toNdArray();
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("Variable storage is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            array.close();
        }
    }
}
