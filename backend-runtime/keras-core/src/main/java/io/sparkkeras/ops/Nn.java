package io.sparkkeras.ops;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.Tensor;

import java.util.List;

/**
 * Keras's {@code keras.ops.nn}: activations, convolution, pooling, normalisation moments and crossentropies, on the
 * current thread's backend. Images are {@code channels_last}.
 *
 * <pre>{@code
 * Tensor h = Nn.relu(Nn.conv(x, kernel, new int[] {1, 1}, "same", new int[] {1, 1}, 1));
 * Tensor p = Nn.maxPool(h, new int[] {2, 2}, new int[] {2, 2}, "valid");
 * }</pre>
 */
public final class Nn {
    private Nn() {
    }

    public static Tensor relu(Tensor x) {
        return Backends.current().nn().relu(x);
    }

    public static Tensor relu6(Tensor x) {
        return Backends.current().nn().relu6(x);
    }

    public static Tensor sigmoid(Tensor x) {
        return Backends.current().nn().sigmoid(x);
    }

    public static Tensor softmax(Tensor x, int axis) {
        return Backends.current().nn().softmax(x, axis);
    }

    public static Tensor logSoftmax(Tensor x, int axis) {
        return Backends.current().nn().logSoftmax(x, axis);
    }

    public static Tensor softplus(Tensor x) {
        return Backends.current().nn().softplus(x);
    }

    public static Tensor softsign(Tensor x) {
        return Backends.current().nn().softsign(x);
    }

    public static Tensor silu(Tensor x) {
        return Backends.current().nn().silu(x);
    }

    public static Tensor gelu(Tensor x, boolean approximate) {
        return Backends.current().nn().gelu(x, approximate);
    }

    public static Tensor elu(Tensor x, double alpha) {
        return Backends.current().nn().elu(x, alpha);
    }

    public static Tensor selu(Tensor x) {
        return Backends.current().nn().selu(x);
    }

    public static Tensor leakyRelu(Tensor x, double negativeSlope) {
        return Backends.current().nn().leakyRelu(x, negativeSlope);
    }

    public static Tensor hardSigmoid(Tensor x) {
        return Backends.current().nn().hardSigmoid(x);
    }

    public static Tensor conv(Tensor x, Tensor kernel, int[] strides, String padding, int[] dilationRate, int groups) {
        return Backends.current().nn().conv(x, kernel, strides, padding, dilationRate, groups);
    }

    /** Convolution plus bias ({@code null} for none), fused where the engine can. */
    public static Tensor conv(Tensor x, Tensor kernel, Tensor bias, int[] strides, String padding,
            int[] dilationRate, int groups) {
        return Backends.current().nn().conv(x, kernel, bias, strides, padding, dilationRate, groups);
    }

    /**
     * {@code x @ kernel + bias} ({@code bias} may be {@code null}), fused where the engine can.
     *
     * <pre>{@code
     * Tensor h = Nn.relu(Nn.dense(x, kernel, bias));
     * }</pre>
     */
    public static Tensor dense(Tensor x, Tensor kernel, Tensor bias) {
        return Backends.current().nn().dense(x, kernel, bias);
    }

    public static Tensor convTranspose(Tensor x, Tensor kernel, int[] strides, String padding, int[] outputPadding,
            int[] dilationRate) {
        return Backends.current().nn().convTranspose(x, kernel, strides, padding, outputPadding, dilationRate);
    }

    public static Tensor maxPool(Tensor x, int[] poolSize, int[] strides, String padding) {
        return Backends.current().nn().maxPool(x, poolSize, strides, padding);
    }

    public static Tensor averagePool(Tensor x, int[] poolSize, int[] strides, String padding) {
        return Backends.current().nn().averagePool(x, poolSize, strides, padding);
    }

    public static Tensor oneHot(Tensor x, int numClasses) {
        return Backends.current().nn().oneHot(x, numClasses);
    }

    public static List<Tensor> moments(Tensor x, int[] axes, boolean keepdims) {
        return Backends.current().nn().moments(x, axes, keepdims);
    }

    public static Tensor sparseCategoricalCrossentropy(Tensor target, Tensor output, boolean fromLogits) {
        return Backends.current().nn().sparseCategoricalCrossentropy(target, output, fromLogits);
    }

    public static Tensor categoricalCrossentropy(Tensor target, Tensor output, boolean fromLogits) {
        return Backends.current().nn().categoricalCrossentropy(target, output, fromLogits);
    }

    public static Tensor binaryCrossentropy(Tensor target, Tensor output, boolean fromLogits) {
        return Backends.current().nn().binaryCrossentropy(target, output, fromLogits);
    }

    public static Tensor dropout(Tensor x, double rate, long seed) {
        return Backends.current().nn().dropout(x, rate, seed);
    }
}
