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
 * A densely connected layer: {@code output = activation(dot(input, kernel) + bias)}. Keras's {@code Dense}.
 *
 * <p>Input shape: {@code (batch_size, ..., input_dim)}. Output shape: {@code (batch_size, ..., units)}.
 *
 * <pre>{@code
 * Dense hidden = new Dense(64, "relu");
 * Dense logits = Dense.builder(10).useBias(false).kernelInitializer("he_normal").build();
 * }</pre>
 */
public final class Dense extends Layer {
    private final int units;
    private final ActivationFunction activation;
    private final boolean useBias;
    private final Initializer kernelInitializer;
    private final Initializer biasInitializer;
    private Variable kernel;
    private Variable bias;

    /** A linear layer ({@code activation=None}) of {@code units} outputs. */
    public Dense(int units) {
        this(builder(units));
    }

    /**
     * @param units      positive number of outputs
     * @param activation a Keras activation id, {@code null} for linear. Defaults to {@code null}.
     */
    public Dense(int units, String activation) {
        this(builder(units).activation(activation));
    }

    private Dense(Builder b) {
        super(b.name);
        if (b.units <= 0) {
            throw new IllegalArgumentException("Received an invalid value for `units`, expected a positive integer. "
                    + "Received: units=" + b.units);
        }
        this.units = b.units;
        this.activation = Activations.get(b.activation);
        this.useBias = b.useBias;
        this.kernelInitializer = b.kernelInitializer;
        this.biasInitializer = b.biasInitializer;
        setInputSpec(InputSpec.minNdim(2));
    }

    public static Builder builder(int units) {
        return new Builder(units);
    }

    public int units() {
        return units;
    }

    public Variable kernel() {
        return kernel;
    }

    public Variable bias() {
        return bias;
    }

    @Override
    protected void build(Shape inputShape) {
        long inputDim = inputShape.last();
        kernel = addWeight("kernel", Shape.of(inputDim, units), kernelInitializer);
        if (useBias) {
            bias = addWeight("bias", Shape.of(units), biasInitializer);
        }
        setInputSpec(InputSpec.minNdim(2).withLastAxis(inputDim));
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        return activation.apply(Nn.dense(inputs, kernel.value(), useBias ? bias.value() : null));
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        return inputShape.with(-1, units);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of(
                "units", units,
                "activation", activation.name(),
                "use_bias", useBias,
                "kernel_initializer", Initializers.serialize(kernelInitializer),
                "bias_initializer", Initializers.serialize(biasInitializer),
                "kernel_regularizer", null,
                "bias_regularizer", null,
                "kernel_constraint", null,
                "bias_constraint", null));
    }

    public static Dense fromConfig(Map<String, Object> c) {
        Builder b = builder(Configs.getInt(c, "units"))
                .name((String) c.get("name"))
                .activation(Configs.getString(c, "activation", "linear"))
                .useBias(Configs.getBoolean(c, "use_bias", true));
        if (c.get("kernel_initializer") != null) {
            b.kernelInitializer(Initializers.deserialize(c.get("kernel_initializer")));
        }
        if (c.get("bias_initializer") != null) {
            b.biasInitializer(Initializers.deserialize(c.get("bias_initializer")));
        }
        Dense d = b.build();
        d.setTrainable(Configs.getBoolean(c, "trainable", true));
        return d;
    }

    /** Builds a {@link Dense} with Keras's optional arguments. */
    public static final class Builder {
        private final int units;
        private String name;
        private String activation;
        private boolean useBias = true;
        private Initializer kernelInitializer = Initializers.get("glorot_uniform");
        private Initializer biasInitializer = Initializers.get("zeros");

        private Builder(int units) {
            this.units = units;
        }

        /** Defaults to an auto-name, {@code "dense"}. */
        public Builder name(String name) {
            this.name = name;
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
        public Builder kernelInitializer(String id) {
            return kernelInitializer(Initializers.get(id));
        }

        public Builder kernelInitializer(Initializer i) {
            this.kernelInitializer = i;
            return this;
        }

        /** Defaults to {@code "zeros"}. */
        public Builder biasInitializer(String id) {
            return biasInitializer(Initializers.get(id));
        }

        public Builder biasInitializer(Initializer i) {
            this.biasInitializer = i;
            return this;
        }

        public Dense build() {
            return new Dense(this);
        }
    }
}
