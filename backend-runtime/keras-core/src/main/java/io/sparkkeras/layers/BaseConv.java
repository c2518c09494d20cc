package io.sparkkeras.layers;

import io.sparkkeras.activations.ActivationFunction;
import io.sparkkeras.activations.Activations;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.initializers.Initializer;
import io.sparkkeras.initializers.Initializers;
import io.sparkkeras.ops.Nn;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * The shared body of {@link Conv1D} and {@link Conv2D}: Keras's {@code BaseConv}. The kernel is stored as Keras
 * stores it, {@code (*kernel_size, in_channels / groups, filters)}; inputs are {@code channels_last}.
 */
public abstract class BaseConv extends Layer {
    private final int rank;
    private final int filters;
    private final int[] kernelSize;
    private final int[] strides;
    private final String padding;
    private final int[] dilationRate;
    private final int groups;
    private final ActivationFunction activation;
    private final boolean useBias;
    private final Initializer kernelInitializer;
    private final Initializer biasInitializer;
    private Variable kernel;
    private Variable bias;

    protected BaseConv(int rank, ConvBuilder<?> b) {
        super(b.name);
        this.rank = rank;
        if (b.filters <= 0) {
            throw new IllegalArgumentException("Invalid value for argument `filters`. Expected a strictly positive "
                    + "value. Received filters=" + b.filters);
        }
        this.filters = b.filters;
        this.kernelSize = ConvUtils.positive("kernel_size", b.kernelSize, rank);
        this.strides = ConvUtils.positive("strides", b.strides == null ? ConvUtils.repeat(1, rank) : b.strides, rank);
        this.padding = ConvUtils.padding(b.padding);
        this.dilationRate = ConvUtils.positive("dilation_rate",
                b.dilationRate == null ? ConvUtils.repeat(1, rank) : b.dilationRate, rank);
        if (b.groups <= 0 || filters % b.groups != 0) {
            throw new IllegalArgumentException("The number of filters must be evenly divisible by the number of "
                    + "groups. Received: groups=" + b.groups + ", filters=" + filters);
        }
        this.groups = b.groups;
        this.activation = Activations.get(b.activation);
        this.useBias = b.useBias;
        this.kernelInitializer = b.kernelInitializer;
        this.biasInitializer = b.biasInitializer;
        setInputSpec(InputSpec.ndim(rank + 2));
    }

    public int filters() {
        return filters;
    }

    public int[] kernelSize() {
        return kernelSize.clone();
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
        if (channels % groups != 0) {
            throw new IllegalArgumentException("The number of input channels must be evenly divisible by the number "
                    + "of groups. Received groups=" + groups + ", but the input has " + channels + " channels "
                    + "(full input shape is " + inputShape + ")");
        }
        long[] k = new long[rank + 2];
        for (int i = 0; i < rank; i++) {
            k[i] = kernelSize[i];
        }
        k[rank] = channels / groups;
        k[rank + 1] = filters;
        kernel = addWeight("kernel", Shape.of(k), kernelInitializer);
        if (useBias) {
            bias = addWeight("bias", Shape.of(filters), biasInitializer);
        }
        setInputSpec(InputSpec.ndim(rank + 2).withLastAxis(channels));
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        return activation.apply(Nn.conv(inputs, kernel.value(), useBias ? bias.value() : null, strides, padding,
                dilationRate, groups));
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        return ConvUtils.outputShape(inputShape, kernelSize, strides, padding, dilationRate, filters);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of(
                "filters", filters,
                "kernel_size", Configs.list(kernelSize),
                "strides", Configs.list(strides),
                "padding", padding,
                "data_format", "channels_last",
                "dilation_rate", Configs.list(dilationRate),
                "groups", groups,
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

    /** Reads a BaseConv config into a builder. */
    static <B extends ConvBuilder<B>> B fromConfig(B b, Map<String, Object> c, int rank) {
        b.name = (String) c.get("name");
        b.strides = Configs.toInts("strides", c.getOrDefault("strides", 1), rank);
        b.padding = Configs.getString(c, "padding", "valid");
        b.dilationRate = Configs.toInts("dilation_rate", c.getOrDefault("dilation_rate", 1), rank);
        b.groups = Configs.getInt(c, "groups", 1);
        b.activation = Configs.getString(c, "activation", "linear");
        b.useBias = Configs.getBoolean(c, "use_bias", true);
        if (c.get("kernel_initializer") != null) {
            b.kernelInitializer = Initializers.deserialize(c.get("kernel_initializer"));
        }
        if (c.get("bias_initializer") != null) {
            b.biasInitializer = Initializers.deserialize(c.get("bias_initializer"));
        }
        String df = Configs.getString(c, "data_format", "channels_last");
        if (!"channels_last".equals(df)) {
            throw new IllegalArgumentException("Only data_format=\"channels_last\" is supported. Received: "
                    + "data_format=" + df + " in layer " + b.name);
        }
        return b;
    }

    /** Keras's optional convolution arguments, shared by the concrete builders. */
    @SuppressWarnings("unchecked")
    public abstract static class ConvBuilder<B extends ConvBuilder<B>> {
        final int filters;
        final int[] kernelSize;
        String name;
        int[] strides;
        String padding = "valid";
        int[] dilationRate;
        int groups = 1;
        String activation;
        boolean useBias = true;
        Initializer kernelInitializer = Initializers.get("glorot_uniform");
        Initializer biasInitializer = Initializers.get("zeros");

        ConvBuilder(int filters, int[] kernelSize) {
            this.filters = filters;
            this.kernelSize = kernelSize;
        }

        /** Defaults to an auto-name. */
        public B name(String name) {
            this.name = name;
            return (B) this;
        }

        /** Defaults to {@code 1} on every axis. */
        public B strides(int... strides) {
            this.strides = strides.length == 1 ? ConvUtils.repeat(strides[0], kernelSize.length) : strides;
            return (B) this;
        }

        /** {@code "valid"} or {@code "same"}. Defaults to {@code "valid"}. */
        public B padding(String padding) {
            this.padding = padding;
            return (B) this;
        }

        /** Defaults to {@code 1} on every axis. */
        public B dilationRate(int... rate) {
            this.dilationRate = rate.length == 1 ? ConvUtils.repeat(rate[0], kernelSize.length) : rate;
            return (B) this;
        }

        /** Defaults to {@code 1}. */
        public B groups(int groups) {
            this.groups = groups;
            return (B) this;
        }

        /** Defaults to {@code null} (linear). */
        public B activation(String activation) {
            Activations.get(activation);
            this.activation = activation;
            return (B) this;
        }

        /** Defaults to {@code true}. */
        public B useBias(boolean useBias) {
            this.useBias = useBias;
            return (B) this;
        }

        /** Defaults to {@code "glorot_uniform"}. */
        public B kernelInitializer(Initializer i) {
            this.kernelInitializer = i;
            return (B) this;
        }

        /** Defaults to {@code "zeros"}. */
        public B biasInitializer(Initializer i) {
            this.biasInitializer = i;
            return (B) this;
        }
    }
}
