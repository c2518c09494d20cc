package io.sparkkeras.backend;

import java.util.List;

/**
 * Neural-network ops: Keras's {@code keras.ops.nn}. Images are {@code channels_last} ({@code (batch, height,
 * width, channels)}) and kernels are laid out as Keras stores them ({@code (kh, kw, in, out)}); a backend whose
 * engine wants another layout converts inside.
 *
 * <p>{@code padding} is {@code "valid"} or {@code "same"} with TensorFlow's rule for "same": output length
 * {@code ceil(in / stride)}, the odd pixel of padding at the end.
 */
public interface NnOps {
    Tensor relu(Tensor x);

    Tensor relu6(Tensor x);

    Tensor sigmoid(Tensor x);

    Tensor softmax(Tensor x, int axis);

    Tensor logSoftmax(Tensor x, int axis);

    Tensor softplus(Tensor x);

    Tensor softsign(Tensor x);

    Tensor silu(Tensor x);

    Tensor gelu(Tensor x, boolean approximate);

    Tensor elu(Tensor x, double alpha);

    Tensor selu(Tensor x);

    Tensor leakyRelu(Tensor x, double negativeSlope);

    Tensor hardSigmoid(Tensor x);

    /** N-d convolution, channels_last; {@code kernel} is {@code (k..., in/groups, out)}. */
    Tensor conv(Tensor x, Tensor kernel, int[] strides, String padding, int[] dilationRate, int groups);

    /**
     * A convolution plus its bias, the body of a conv layer. An engine whose convolution takes the bias (libtorch)
     * overrides this to save a separate broadcast add per step; by default it is {@code conv} then {@code add}.
     *
     * @param bias {@code (out,)}, or {@code null} for none
     */
    default Tensor conv(Tensor x, Tensor kernel, Tensor bias, int[] strides, String padding, int[] dilationRate,
            int groups) {
        Tensor y = conv(x, kernel, strides, padding, dilationRate, groups);
        return bias == null ? y : io.sparkkeras.ops.Ops.add(y, bias);
    }

    /**
     * {@code x @ kernel + bias}, the body of a Dense layer, with {@code kernel} laid out {@code (in, units)} as
     * Keras stores it. An engine with a fused affine op (libtorch's {@code linear}: one GEMM that starts from the
     * bias) overrides this; by default it is {@code matmul} then {@code add}.
     *
     * @param bias {@code (units,)}, or {@code null} for none
     */
    default Tensor dense(Tensor x, Tensor kernel, Tensor bias) {
        Tensor y = io.sparkkeras.ops.Ops.matmul(x, kernel);
        return bias == null ? y : io.sparkkeras.ops.Ops.add(y, bias);
    }

    /** N-d transposed convolution; {@code kernel} is {@code (k..., out, in)} as Keras stores it. */
    Tensor convTranspose(Tensor x, Tensor kernel, int[] strides, String padding, int[] outputPadding,
            int[] dilationRate);

    Tensor maxPool(Tensor x, int[] poolSize, int[] strides, String padding);

    /** Average pooling; "same" padding averages only the real (unpadded) values, as Keras does. */
    Tensor averagePool(Tensor x, int[] poolSize, int[] strides, String padding);

    /** One-hot encoding of integer {@code x} along a new last axis, as float32. */
    Tensor oneHot(Tensor x, int numClasses);

    /** Mean and variance over {@code axes}: {@code [mean, variance]}. */
    List<Tensor> moments(Tensor x, int[] axes, boolean keepdims);

    /**
     * Per-sample sparse categorical crossentropy, {@code -log p[target]} over the last axis.
     *
     * @param target integer class ids, shape of {@code output} without its last axis
     */
    Tensor sparseCategoricalCrossentropy(Tensor target, Tensor output, boolean fromLogits);

    /** Per-sample categorical crossentropy over the last axis. */
    Tensor categoricalCrossentropy(Tensor target, Tensor output, boolean fromLogits);

    /** Element-wise binary crossentropy. */
    Tensor binaryCrossentropy(Tensor target, Tensor output, boolean fromLogits);

    /** {@code x} with elements zeroed at rate {@code rate} and the rest scaled by {@code 1 / (1 - rate)}. */
    Tensor dropout(Tensor x, double rate, long seed);
}
