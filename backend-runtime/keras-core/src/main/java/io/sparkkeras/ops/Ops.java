package io.sparkkeras.ops;

import io.sparkkeras.backend.Backend;
import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.utils.NdArray;

import java.util.List;

/**
 * Keras's {@code keras.ops}: the one API every layer, loss, metric and optimizer is written against. Each call goes
 * to the current thread's {@link Backend}; nothing here knows which engine runs it.
 *
 * <pre>{@code
 * Tensor y = Ops.add(Ops.matmul(x, kernel), bias);
 * Tensor loss = Ops.mean(Ops.square(Ops.subtract(y, target)));
 * }</pre>
 */
public final class Ops {
    private Ops() {
    }

    private static Backend b() {
        return Backends.current();
    }

    // ---- core

    public static Tensor convertToTensor(NdArray a) {
        return b().core().convert(a);
    }

    public static Tensor scalar(double v) {
        return b().core().scalar(v, DType.FLOAT32);
    }

    public static Tensor scalar(double v, DType dtype) {
        return b().core().scalar(v, dtype);
    }

    public static Tensor cast(Tensor x, DType dtype) {
        return x.dtype() == dtype ? x : b().core().cast(x, dtype);
    }

    public static Tensor stopGradient(Tensor x) {
        return b().core().stopGradient(x);
    }

    // ---- numpy: arithmetic

    public static Tensor add(Tensor a, Tensor b) {
        return b().numpy().add(a, b);
    }

    public static Tensor add(Tensor a, double b) {
        return b().numpy().add(a, scalar(b, a.dtype()));
    }

    public static Tensor subtract(Tensor a, Tensor b) {
        return b().numpy().subtract(a, b);
    }

    public static Tensor subtract(Tensor a, double b) {
        return b().numpy().subtract(a, scalar(b, a.dtype()));
    }

    public static Tensor subtract(double a, Tensor b) {
        return b().numpy().subtract(scalar(a, b.dtype()), b);
    }

    public static Tensor multiply(Tensor a, Tensor b) {
        return b().numpy().multiply(a, b);
    }

    public static Tensor multiply(Tensor a, double b) {
        return b().numpy().multiply(a, scalar(b, a.dtype()));
    }

    public static Tensor divide(Tensor a, Tensor b) {
        return b().numpy().divide(a, b);
    }

    public static Tensor divide(Tensor a, double b) {
        return b().numpy().divide(a, scalar(b, a.dtype()));
    }

    public static Tensor negative(Tensor x) {
        return b().numpy().negative(x);
    }

    public static Tensor abs(Tensor x) {
        return b().numpy().abs(x);
    }

    public static Tensor square(Tensor x) {
        return b().numpy().square(x);
    }

    public static Tensor sqrt(Tensor x) {
        return b().numpy().sqrt(x);
    }

    public static Tensor exp(Tensor x) {
        return b().numpy().exp(x);
    }

    public static Tensor log(Tensor x) {
        return b().numpy().log(x);
    }

    public static Tensor tanh(Tensor x) {
        return b().numpy().tanh(x);
    }

    public static Tensor sign(Tensor x) {
        return b().numpy().sign(x);
    }

    public static Tensor floor(Tensor x) {
        return b().numpy().floor(x);
    }

    public static Tensor round(Tensor x) {
        return b().numpy().round(x);
    }

    public static Tensor power(Tensor x, Tensor exponent) {
        return b().numpy().power(x, exponent);
    }

    public static Tensor power(Tensor x, double exponent) {
        return b().numpy().power(x, scalar(exponent, x.dtype()));
    }

    public static Tensor maximum(Tensor a, Tensor b) {
        return b().numpy().maximum(a, b);
    }

    public static Tensor maximum(Tensor a, double b) {
        return b().numpy().maximum(a, scalar(b, a.dtype()));
    }

    public static Tensor minimum(Tensor a, Tensor b) {
        return b().numpy().minimum(a, b);
    }

    public static Tensor minimum(Tensor a, double b) {
        return b().numpy().minimum(a, scalar(b, a.dtype()));
    }

    public static Tensor clip(Tensor x, double min, double max) {
        return b().numpy().clip(x, min, max);
    }

    public static Tensor where(Tensor condition, Tensor x, Tensor y) {
        return b().numpy().where(condition, x, y);
    }

    // ---- numpy: comparison and logic (results are bool)

    public static Tensor equal(Tensor a, Tensor b) {
        return b().numpy().equal(a, b);
    }

    public static Tensor notEqual(Tensor a, Tensor b) {
        return b().numpy().notEqual(a, b);
    }

    public static Tensor greater(Tensor a, Tensor b) {
        return b().numpy().greater(a, b);
    }

    public static Tensor greater(Tensor a, double b) {
        return b().numpy().greater(a, scalar(b, a.dtype()));
    }

    public static Tensor greaterEqual(Tensor a, Tensor b) {
        return b().numpy().greaterEqual(a, b);
    }

    public static Tensor less(Tensor a, Tensor b) {
        return b().numpy().less(a, b);
    }

    public static Tensor lessEqual(Tensor a, Tensor b) {
        return b().numpy().lessEqual(a, b);
    }

    public static Tensor logicalAnd(Tensor a, Tensor b) {
        return b().numpy().logicalAnd(a, b);
    }

    public static Tensor logicalOr(Tensor a, Tensor b) {
        return b().numpy().logicalOr(a, b);
    }

    public static Tensor logicalNot(Tensor x) {
        return b().numpy().logicalNot(x);
    }

    public static Tensor isNan(Tensor x) {
        return b().numpy().isNan(x);
    }

    public static Tensor isInf(Tensor x) {
        return b().numpy().isInf(x);
    }

    // ---- numpy: linear algebra and reductions

    public static Tensor matmul(Tensor a, Tensor b) {
        return b().numpy().matmul(a, b);
    }

    /** Sum of all elements. */
    public static Tensor sum(Tensor x) {
        return b().numpy().sum(x, null, false);
    }

    public static Tensor sum(Tensor x, int axis) {
        return b().numpy().sum(x, new int[] {axis}, false);
    }

    public static Tensor sum(Tensor x, int[] axes, boolean keepdims) {
        return b().numpy().sum(x, axes, keepdims);
    }

    /** Mean of all elements. */
    public static Tensor mean(Tensor x) {
        return b().numpy().mean(x, null, false);
    }

    public static Tensor mean(Tensor x, int axis) {
        return b().numpy().mean(x, new int[] {axis}, false);
    }

    public static Tensor mean(Tensor x, int[] axes, boolean keepdims) {
        return b().numpy().mean(x, axes, keepdims);
    }

    public static Tensor max(Tensor x) {
        return b().numpy().max(x, null, false);
    }

    public static Tensor max(Tensor x, int[] axes, boolean keepdims) {
        return b().numpy().max(x, axes, keepdims);
    }

    public static Tensor min(Tensor x, int[] axes, boolean keepdims) {
        return b().numpy().min(x, axes, keepdims);
    }

    public static Tensor argmax(Tensor x, int axis) {
        return b().numpy().argmax(x, axis);
    }

    /** {@code [values, indices]} of the {@code k} largest along the last axis. */
    public static List<Tensor> topK(Tensor x, int k) {
        return b().numpy().topK(x, k);
    }

    public static Tensor cumsum(Tensor x, int axis) {
        return b().numpy().cumsum(x, axis);
    }

    // ---- numpy: shapes

    /** Reshapes; one dimension may be {@code -1}. */
    public static Tensor reshape(Tensor x, long... shape) {
        return b().numpy().reshape(x, shape);
    }

    public static Tensor transpose(Tensor x, int... perm) {
        return b().numpy().transpose(x, perm);
    }

    public static Tensor expandDims(Tensor x, int axis) {
        return b().numpy().expandDims(x, axis);
    }

    public static Tensor squeeze(Tensor x, int axis) {
        return b().numpy().squeeze(x, axis);
    }

    public static Tensor concatenate(List<Tensor> xs, int axis) {
        return b().numpy().concatenate(xs, axis);
    }

    public static Tensor stack(List<Tensor> xs, int axis) {
        return b().numpy().stack(xs, axis);
    }

    public static Tensor take(Tensor x, Tensor indices, int axis) {
        return b().numpy().take(x, indices, axis);
    }

    public static Tensor repeat(Tensor x, int repeats, int axis) {
        return b().numpy().repeat(x, repeats, axis);
    }

    public static Tensor pad(Tensor x, long[][] padWidth) {
        return b().numpy().pad(x, padWidth, 0);
    }

    public static Tensor slice(Tensor x, long[] start, long[] size) {
        return b().numpy().slice(x, start, size);
    }

    // ---- numpy: creation

    public static Tensor zeros(Shape shape) {
        return b().numpy().zeros(shape, DType.FLOAT32);
    }

    public static Tensor zeros(Shape shape, DType dtype) {
        return b().numpy().zeros(shape, dtype);
    }

    public static Tensor ones(Shape shape) {
        return b().numpy().ones(shape, DType.FLOAT32);
    }

    public static Tensor full(Shape shape, double value, DType dtype) {
        return b().numpy().full(shape, value, dtype);
    }

    public static Tensor zerosLike(Tensor x) {
        return b().numpy().zerosLike(x);
    }

    public static Tensor onesLike(Tensor x) {
        return b().numpy().onesLike(x);
    }

    public static Tensor arange(double start, double stop, double step, DType dtype) {
        return b().numpy().arange(start, stop, step, dtype);
    }
}
