package io.sparkkeras.layers;

import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * 2D convolution: {@code output = activation(conv(input, kernel) + bias)}. Keras's {@code Conv2D}.
 *
 * <p>Input shape: {@code (batch_size, height, width, channels)}. Output shape: {@code (batch_size, new_height, new_width, filters)}, each spatial length {@code ceil(in / stride)} for
 * {@code "same"} padding and {@code floor((in - dilated_kernel) / stride) + 1} for {@code "valid"}.
 *
 * <pre>{@code
 * Conv2D conv = new Conv2D(32, 3, "relu");
 * Conv2D strided = Conv2D.builder(64, 3).strides(2).padding("same").build();
 * }</pre>
 */
public final class Conv2D extends BaseConv {

    /** A linear convolution with a square kernel, stride 1, {@code "valid"} padding. */
    public Conv2D(int filters, int kernelSize) {
        this(builder(filters, kernelSize));
    }

    /**
     * @param filters    number of output channels
     * @param kernelSize the kernel's length on each spatial axis
     * @param activation a Keras activation id. Defaults to {@code null} (linear).
     */
    public Conv2D(int filters, int kernelSize, String activation) {
        this(builder(filters, kernelSize).activation(activation));
    }

    private Conv2D(Builder b) {
        super(2, b);
    }

    public static Builder builder(int filters, int kernelSize) {
        return new Builder(filters, new int[] {kernelSize, kernelSize});
    }

    /** A builder with a kernel size per spatial axis. */
    public static Builder builder(int filters, int[] kernelSize) {
        return new Builder(filters, kernelSize);
    }

    public static Conv2D fromConfig(Map<String, Object> c) {
        Builder b = new Builder(Configs.getInt(c, "filters"), Configs.getInts(c, "kernel_size", 2));
        Conv2D layer = BaseConv.fromConfig(b, c, 2).build();
        layer.setTrainable(Configs.getBoolean(c, "trainable", true));
        return layer;
    }

    /** Builds a {@link Conv2D} with Keras's optional arguments. */
    public static final class Builder extends ConvBuilder<Builder> {
        private Builder(int filters, int[] kernelSize) {
            super(filters, kernelSize);
        }

        public Conv2D build() {
            return new Conv2D(this);
        }
    }
}
