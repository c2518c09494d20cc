package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.Backend;
import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.utils.NdArray;
import org.tensorflow.Output;

import java.nio.ByteBuffer;

/**
 * A {@link Tensor} of the TensorFlow backend, in one of three forms:
 * <ul>
 *   <li><b>symbolic</b>: an output of an operation in the backend's graph, made while a step is traced; valid only
 *   inside that trace;</li>
 *   <li><b>eager</b>: an output of an op run by the backend's {@code EagerSession} (ops called outside a trace);
 *   its native memory is released by the eager session when the output becomes unreachable;</li>
 *   <li><b>concrete</b>: a TensorFlow tensor in host memory (a converted batch, a fetched step output, a variable
 *   read), owned by the scope that was current when it was made and freed when that scope closes.</li>
 * </ul>
 * A concrete tensor becomes an eager constant when an eager op uses it, and a captured constant when a trace does.
 */
final class TfTensor implements Tensor {
    private final TfBackend backend;
    private final TfTrace trace;
    private Output<?> output;
    private org.tensorflow.Tensor value;
    private final boolean ownsValue;
    /** The variable this tensor reads, for a symbolic variable read (fused optimizer kernels update it in place). */
    private TfVariable source;
    private Shape shape;
    private DType dtype;

    private TfTensor(TfBackend backend, TfTrace trace, Output<?> output, org.tensorflow.Tensor value,
            boolean ownsValue) {
        this.backend = backend;
        this.trace = trace;
        this.output = output;
        this.value = value;
        this.ownsValue = ownsValue;
    }

    /** An output of a traced op. */
    static TfTensor symbolic(TfBackend b, TfTrace trace, Output<?> out) {
        return new TfTensor(b, trace, out, null, false);
    }

    /** A traced read of {@code v}. */
    static TfTensor read(TfBackend b, TfTrace trace, Output<?> out, TfVariable v) {
        TfTensor t = new TfTensor(b, trace, out, null, false);
        t.source = v;
        return t;
    }

    /** The variable a symbolic tensor reads, or {@code null} if it is not a variable read. */
    TfVariable source() {
        return source;
    }

    /** An output of an eager op. */
    static TfTensor eager(TfBackend b, Output<?> out) {
        return new TfTensor(b, null, out, null, false);
    }

    /** A host tensor, owned by the current scope. */
    static TfTensor concrete(TfBackend b, org.tensorflow.Tensor value) {
        TfTensor t = new TfTensor(b, null, null, value, true);
        TfScope.current(b).own(t);
        return t;
    }

    /** A host tensor kept for the backend's life (cached constants). */
    static TfTensor shared(TfBackend b, org.tensorflow.Tensor value) {
        return new TfTensor(b, null, null, value, false);
    }

    boolean isSymbolic() {
        return trace != null;
    }

    TfTrace trace() {
        return trace;
    }

    /** The graph output of a symbolic tensor. */
    Output<?> symbolicOutput() {
        return output;
    }

    boolean hasValue() {
        return value != null || (output != null && trace == null);
    }

    /** The host value of a concrete or eager tensor, owned by this tensor or its eager session: do not close. */
    org.tensorflow.Tensor hostValue() {
        if (value != null) {
            return value;
        }
        if (trace != null) {
            throw symbolicError();
        }
        return output.asTensor();
    }

    /** This tensor as an input of an eager op: concrete values become eager constants (once). */
    Output<?> eagerOutput() {
        if (trace != null) {
            throw symbolicError();
        }
        if (output == null) {
            output = backend.eagerConstant(value);
        }
        return output;
    }

    private IllegalStateException symbolicError() {
        return new IllegalStateException("This tensor belongs to a traced TensorFlow step ('" + trace.name()
                + "') and has no value outside it: return it from the step function to read it");
    }

    @Override
    public Shape shape() {
        Shape s = shape;
        if (s == null) {
            s = value != null ? Shape.of(value.shape().asArray()) : Tf.shape(output.shape());
            shape = s;
        }
        return s;
    }

    @Override
    public DType dtype() {
        DType d = dtype;
        if (d == null) {
            d = Tf.dtype(value != null ? value.dataType() : output.dataType());
            dtype = d;
        }
        return d;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public NdArray toNdArray() {
        return Tf.toNd(hostValue());
    }

    /** Without the new direct buffer {@link #toNdArray} fills: the bytes go through the thread's scratch only. */
    @Override
    public void copyTo(ByteBuffer dst) {
        Tf.copyTo(hostValue(), dst);
    }

    @Override
    public double item() {
        if (shape().size() != 1) {
            throw new IllegalStateException("item() needs a one-element tensor; this one has shape " + shape());
        }
        return toNdArray().getDouble(0);
    }

    @Override
    public void close() {
        if (ownsValue && value != null) {
            value.close();
            value = null;
            output = null;
        }
    }

    @Override
    public String toString() {
        String kind = trace != null ? "symbolic" : value != null ? "concrete" : "eager";
        return "TfTensor(" + kind + ", shape=" + shape() + ", dtype=" + dtype() + ")";
    }
}
