package io.sparkkeras.backend;

import java.util.List;

/**
 * The numpy-like ops every backend implements: Keras's {@code keras.ops.numpy} and {@code keras.ops.math}.
 * Broadcasting follows numpy. Axes may be negative. Each result belongs to the current {@link Scope}.
 */
public interface NumpyOps {
    Tensor add(Tensor a, Tensor b);

    Tensor subtract(Tensor a, Tensor b);

    Tensor multiply(Tensor a, Tensor b);

    Tensor divide(Tensor a, Tensor b);

    Tensor negative(Tensor x);

    Tensor abs(Tensor x);

    Tensor square(Tensor x);

    Tensor sqrt(Tensor x);

    Tensor exp(Tensor x);

    Tensor log(Tensor x);

    Tensor tanh(Tensor x);

    Tensor sign(Tensor x);

    Tensor floor(Tensor x);

    Tensor round(Tensor x);

    Tensor power(Tensor x, Tensor exponent);

    Tensor maximum(Tensor a, Tensor b);

    Tensor minimum(Tensor a, Tensor b);

    Tensor clip(Tensor x, double min, double max);

    Tensor where(Tensor condition, Tensor x, Tensor y);

    Tensor equal(Tensor a, Tensor b);

    Tensor notEqual(Tensor a, Tensor b);

    Tensor greater(Tensor a, Tensor b);

    Tensor greaterEqual(Tensor a, Tensor b);

    Tensor less(Tensor a, Tensor b);

    Tensor lessEqual(Tensor a, Tensor b);

    Tensor logicalAnd(Tensor a, Tensor b);

    Tensor logicalOr(Tensor a, Tensor b);

    Tensor logicalNot(Tensor x);

    Tensor isNan(Tensor x);

    Tensor isInf(Tensor x);

    /** Matrix product, batched over leading axes. */
    Tensor matmul(Tensor a, Tensor b);

    /** Sum over {@code axes} ({@code null} for all). */
    Tensor sum(Tensor x, int[] axes, boolean keepdims);

    Tensor mean(Tensor x, int[] axes, boolean keepdims);

    Tensor max(Tensor x, int[] axes, boolean keepdims);

    Tensor min(Tensor x, int[] axes, boolean keepdims);

    /** Index of the largest value along {@code axis}, as int64. */
    Tensor argmax(Tensor x, int axis);

    /** The {@code k} largest values along the last axis: {@code [values, indices]}. */
    List<Tensor> topK(Tensor x, int k);

    Tensor cumsum(Tensor x, int axis);

    Tensor reshape(Tensor x, long[] shape);

    Tensor transpose(Tensor x, int[] perm);

    Tensor expandDims(Tensor x, int axis);

    Tensor squeeze(Tensor x, int axis);

    Tensor concatenate(List<Tensor> xs, int axis);

    Tensor stack(List<Tensor> xs, int axis);

    /** Elements of {@code x} at integer {@code indices} along {@code axis} (embedding lookup). */
    Tensor take(Tensor x, Tensor indices, int axis);

    /** Repeats each element {@code repeats} times along {@code axis}. */
    Tensor repeat(Tensor x, int repeats, int axis);

    /**
     * Pads with a constant.
     *
     * @param padWidth {@code [rank][2]}: before and after for each axis
     */
    Tensor pad(Tensor x, long[][] padWidth, double constant);

    /** A contiguous slice: {@code start} and {@code size} per axis ({@code -1} size = to the end). */
    Tensor slice(Tensor x, long[] start, long[] size);

    Tensor zeros(Shape shape, DType dtype);

    Tensor ones(Shape shape, DType dtype);

    Tensor full(Shape shape, double value, DType dtype);

    Tensor zerosLike(Tensor x);

    Tensor onesLike(Tensor x);

    Tensor arange(double start, double stop, double step, DType dtype);
}
