package io.sparkkeras.layers;

import io.sparkkeras.activations.ActivationFunction;
import io.sparkkeras.activations.Activations;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.initializers.Initializer;
import io.sparkkeras.initializers.Initializers;
import io.sparkkeras.ops.Nn;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.Arrays;
import java.util.Map;

/**
 * 2D transposed convolution ("deconvolution"), the gradient of {@link Conv2D} with respect to its input:
 * {@code output = activation(conv_transpose(input, kernel) + bias)}. Keras's {@code Conv2DTranspose}; the kernel is
 * stored as Keras stores it, {@code (kh, kw, filters, in_channels)}.
 *
 * <p>Input shape: {@code (batch_size, rows, cols, channels)}. Output shape: {@code (batch_size, new_rows, new_cols,
 * filters)}, each spatial length {@code in * stride} for {@code "same"} and {@code (in - 1) * stride + max(k,
 * stride)} for {@code "valid"} ({@code k} the dilated kernel); with {@code output_padding} it is
 * {@code (in - 1) * stride + k - 2 * pad + output_padding}, {@code pad} being {@code k / 2} for "same" and 0 for
 * "valid".
 *
 * <pre>{@code
 * Conv2DTranspose up = Conv2DTranspose.builder(16, 3).strides(2).padding("same").build();   // 7x7 -> 14x14
 * }</pre>
 */
public final class Conv2DTranspose extends Layer {
    private final int filters;
    private final int[] kernelSize;
    private final int[] strides;
    private final String padding;
    private final int[] outputPadding;
    private final int[] dilationRate;
    private final ActivationFunction activation;
    private final boolean useBias;
    private final Initializer kernelInitializer;
    private final Initializer biasInitializer;
    private Variable kernel;
    private Variable bias;

    /** A linear transposed convolution with a square kernel, stride 1, {@code "valid"} padding. */
    public Conv2DTranspose(int filters, int kernelSize) {
        this(builder(filters, kernelSize));
    }

    /** @param activation a Keras activation id. Defaults to {@code null} (linear). */
    public Conv2DTranspose(int filters, int kernelSize, String activation) {
        this(builder(filters, kernelSize).activation(activation));
    }

    private Conv2DTranspose(Builder b) {
        super(b.name);
        if (b.filters <= 0) {
            throw new IllegalArgumentException("Received an invalid value for `filters`, expected a positive "
                    + "integer. Received: filters=" + b.filters);
        }
        this.filters = b.filters;
        this.kernelSize = ConvUtils.positive("kernel_size", b.kernelSize, 2);
        this.strides = ConvUtils.positive("strides", b.strides, 2);
        this.padding = ConvUtils.padding(b.padding);
        this.dilationRate = ConvUtils.positive("dilation_rate", b.dilationRate, 2);
        if (b.outputPadding != null) {
            boolean ok = b.outputPadding.length == 2;
            for (int i = 0; ok && i < 2; i++) {
                ok = b.outputPadding[i] >= 0 && b.outputPadding[i] < strides[i];
            }
            if (!ok) {
                throw new IllegalArgumentException("Received an invalid value for `output_padding`, expected 2 "
                        + "non-negative integers strictly less than `strides` " + Arrays.toString(strides)
                        + ". Received: output_padding=" + Arrays.toString(b.outputPadding));
            }
        }
        this.outputPadding = b.outputPadding == null ? null : b.outputPadding.clone();
        this.activation = Activations.get(b.activation);
        this.useBias = b.useBias;
        this.kernelInitializer = b.kernelInitializer;
        this.biasInitializer = b.biasInitializer;
        setInputSpec(InputSpec.ndim(4));
    }

    public static Builder builder(int filters, int kernelSize) {
        return new Builder(filters, new int[] {kernelSize, kernelSize});
    }

    /** A builder with a kernel size per spatial axis. */
    public static Builder builder(int filters, int[] kernelSize) {
        return new Builder(filters, kernelSize);
    }

    public int filters() {
        return filters;
    }

    public Variable kernel() {
        return kernel;
    }

    public Variable bias() {
        return bias;
    }

    @Override
    protected void build(Shape inputShape) {
        long channels = inputShape.last();
        kernel = addWeight("kernel", Shape.of(kernelSize[0], kernelSize[1], filters, channels), kernelInitializer);
        if (useBias) {
            bias = addWeight("bias", Shape.of(filters), biasInitializer);
        }
        setInputSpec(InputSpec.ndim(4).withLastAxis(channels));
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        Tensor x = Nn.convTranspose(inputs, kernel.value(), strides, padding, outputPadding, dilationRate);
        if (useBias) {
            x = Ops.add(x, bias.value());
        }
        return activation.apply(x);
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() != 4) {
            throw new IllegalArgumentException("Expected an input of rank 4 (batch, rows, cols, channels); received "
                    + "shape " + inputShape);
        }
        long[] out = {inputShape.get(0), 0, 0, filters};
        for (int i = 0; i < 2; i++) {
            out[i + 1] = outputLength(inputShape.get(i + 1), kernelSize[i], padding,
                    outputPadding == null ? -1 : outputPadding[i], strides[i], dilationRate[i]);
        }
        return Shape.of(out);
    }

    /** Keras's {@code deconv_output_length}; {@code outputPadding < 0} means none. */
    static long outputLength(long in, int kernel, String padding, int outputPadding, int stride, int dilation) {
        if (in == Shape.UNKNOWN) {
            return Shape.UNKNOWN;
        }
        long k = (long) (kernel - 1) * dilation + 1;
        if (outputPadding < 0) {
            return "same".equals(padding) ? in * stride : in * stride + Math.max(k - stride, 0);
        }
        long pad = "same".equals(padding) ? k / 2 : 0;
        return (in - 1) * stride + k - 2 * pad + outputPadding;
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of(
                "filters", filters,
                "kernel_size", Configs.list(kernelSize),
                "strides", Configs.list(strides),
                "padding", padding,
                "output_padding", outputPadding == null ? null : Configs.list(outputPadding),
                "data_format", "channels_last",
                "dilation_rate", Configs.list(dilationRate),
                "activation", activation.name(),
                "use_bias", useBias,
                "kernel_initializer", Initializers.serialize(kernelInitializer),
                "bias_initializer", Initializers.serialize(biasInitializer),
                "kernel_regularizer", null,
                "bias_regularizer", null,
                "activity_regularizer", null,
                "kernel_constraint", null,
                "bias_constraint", null));
    }

    public static Conv2DTranspose fromConfig(Map<String, Object> c) {
        ConvUtils.checkDataFormat(c);
        Builder b = builder(Configs.getInt(c, "filters"), Configs.getInts(c, "kernel_size", 2))
                .name((String) c.get("name"))
                .strides(Configs.toInts("strides", c.getOrDefault("strides", 1), 2))
                .padding(Configs.getString(c, "padding", "valid"))
                .dilationRate(Configs.toInts("dilation_rate", c.getOrDefault("dilation_rate", 1), 2))
                .activation(Configs.getString(c, "activation", "linear"))
                .useBias(Configs.getBoolean(c, "use_bias", true));
        if (c.get("output_padding") != null) {
            b.outputPadding(Configs.toInts("output_padding", c.get("output_padding"), 2));
        }
        if (c.get("kernel_initializer") != null) {
            b.kernelInitializer(Initializers.deserialize(c.get("kernel_initializer")));
        }
        if (c.get("bias_initializer") != null) {
            b.biasInitializer(Initializers.deserialize(c.get("bias_initializer")));
        }
        Conv2DTranspose layer = b.build();
        layer.setTrainable(Configs.getBoolean(c, "trainable", true));
        return layer;
    }

    /** Builds a {@link Conv2DTranspose} with Keras's optional arguments. */
    public static final class Builder {
        private final int filters;
        private final int[] kernelSize;
        private String name;
        private int[] strides = {1, 1};
        private String padding = "valid";
        private int[] outputPadding;
        private int[] dilationRate = {1, 1};
        private String activation;
        private boolean useBias = true;
        private Initializer kernelInitializer = Initializers.get("glorot_uniform");
        private Initializer biasInitializer = Initializers.get("zeros");

        private Builder(int filters, int[] kernelSize) {
            this.filters = filters;
            this.kernelSize = kernelSize.clone();
        }

        /** Defaults to an auto-name, {@code "conv2d_transpose"}. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** One value for both axes, or one per axis. Defaults to {@code 1}. */
        public Builder strides(int... strides) {
            this.strides = strides.length == 1 ? new int[] {strides[0], strides[0]} : strides.clone();
            return this;
        }

        /** {@code "valid"} or {@code "same"}. Defaults to {@code "valid"}. */
        public Builder padding(String padding) {
            this.padding = padding;
            return this;
        }

        /** Extra rows/columns at the end, each less than its stride. Defaults to {@code null} (inferred). */
        public Builder outputPadding(int... outputPadding) {
            this.outputPadding = outputPadding.length == 1 ? new int[] {outputPadding[0], outputPadding[0]}
                    : outputPadding.clone();
            return this;
        }

        /** One value for both axes, or one per axis. Defaults to {@code 1}. */
        public Builder dilationRate(int... rate) {
            this.dilationRate = rate.length == 1 ? new int[] {rate[0], rate[0]} : rate.clone();
            return this;
        }

        /** Defaults to {@code null} (linear). */
        public Builder activation(String activation) {
            Activations.get(activation);
            this.activation = activation;
            return this;
        }

        /** Defaults to {@code true}. */
        public Builder useBias(boolean useBias) {
            this.useBias = useBias;
            return this;
        }

        /** Defaults to {@code "glorot_uniform"}. */
        public Builder kernelInitializer(Initializer i) {
            this.kernelInitializer = i;
            return this;
        }

        /** Defaults to {@code "zeros"}. */
        public Builder biasInitializer(Initializer i) {
            this.biasInitializer = i;
            return this;
        }

        public Conv2DTranspose build() {
            return new Conv2DTranspose(this);
        }
    }
}
