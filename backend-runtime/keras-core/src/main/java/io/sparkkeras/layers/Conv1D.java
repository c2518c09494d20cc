package io.sparkkeras.layers;

import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * 1D convolution: {@code output = activation(conv(input, kernel) + bias)}. Keras's {@code Conv1D}.
 *
 * <p>Input shape: {@code (batch_size, steps, channels)}. Output shape: {@code (batch_size, new_steps, filters)}, each spatial length {@code ceil(in / stride)} for
 * {@code "same"} padding and {@code floor((in - dilated_kernel) / stride) + 1} for {@code "valid"}.
 *
 * <pre>{@code
 * Conv1D conv = new Conv1D(32, 3, "relu");
 * Conv1D strided = Conv1D.builder(64, 3).strides(2).padding("same").build();
 * }</pre>
 */
public final class Conv1D extends BaseConv {

    /** A linear convolution with a square kernel, stride 1, {@code "valid"} padding. */
    public Conv1D(int filters, int kernelSize) {
        this(builder(filters, kernelSize));
    }

    /**
     * @param filters    number of output channels
     * @param kernelSize the kernel's length on each spatial axis
     * @param activation a Keras activation id. Defaults to {@code null} (linear).
     */
    public Conv1D(int filters, int kernelSize, String activation) {
        this(builder(filters, kernelSize).activation(activation));
    }

    private Conv1D(Builder b) {
        super(1, b);
    }

    public static Builder builder(int filters, int kernelSize) {
        return new Builder(filters, new int[] {kernelSize});
    }

    /** A builder with a kernel size per spatial axis. */
    public static Builder builder(int filters, int[] kernelSize) {
        return new Builder(filters, kernelSize);
    }

    public static Conv1D fromConfig(Map<String, Object> c) {
        Builder b = new Builder(Configs.getInt(c, "filters"), Configs.getInts(c, "kernel_size", 1));
        Conv1D layer = BaseConv.fromConfig(b, c, 1).build();
        layer.setTrainable(Configs.getBoolean(c, "trainable", true));
        return layer;
    }

    /** Builds a {@link Conv1D} with Keras's optional arguments. */
    public static final class Builder extends ConvBuilder<Builder> {
        private Builder(int filters, int[] kernelSize) {
            super(filters, kernelSize);
        }

        public Conv1D build() {
            return new Conv1D(this);
        }
    }
}
