package io.sparkkeras.layers;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.initializers.Initializer;
import io.sparkkeras.initializers.Initializers;
import io.sparkkeras.initializers.RandomUniform;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * Turns integer ids into dense vectors: {@code output[..., :] = embeddings[input[...], :]}. Keras's
 * {@code Embedding}. Integer inputs are used as they are; float inputs are cast to {@code int32}, as Keras does.
 *
 * <p>Input shape: {@code (batch_size, ...)} of ids in {@code [0, input_dim)}. Output shape: {@code (batch_size, ...,
 * output_dim)}.
 *
 * <pre>{@code
 * Embedding words = new Embedding(1000, 64);   // ids in [0, 1000) -> 64 floats each
 * }</pre>
 */
public final class Embedding extends Layer {
    private final int inputDim;
    private final int outputDim;
    private final Initializer embeddingsInitializer;
    private Variable embeddings;

    /**
     * @param inputDim  size of the vocabulary: the largest id plus one
     * @param outputDim size of each vector
     */
    public Embedding(int inputDim, int outputDim) {
        this(builder(inputDim, outputDim));
    }

    private Embedding(Builder b) {
        super(b.name);
        if (b.inputDim <= 0) {
            throw new IllegalArgumentException("Received an invalid value for `input_dim`, expected a positive "
                    + "integer. Received: input_dim=" + b.inputDim);
        }
        if (b.outputDim <= 0) {
            throw new IllegalArgumentException("Received an invalid value for `output_dim`, expected a positive "
                    + "integer. Received: output_dim=" + b.outputDim);
        }
        if (b.maskZero) {
            throw new IllegalArgumentException("Masking is not supported yet: expected mask_zero=false. Received: "
                    + "mask_zero=true");
        }
        this.inputDim = b.inputDim;
        this.outputDim = b.outputDim;
        this.embeddingsInitializer = b.embeddingsInitializer;
    }

    public static Builder builder(int inputDim, int outputDim) {
        return new Builder(inputDim, outputDim);
    }

    public int inputDim() {
        return inputDim;
    }

    public int outputDim() {
        return outputDim;
    }

    public Variable embeddings() {
        return embeddings;
    }

    @Override
    protected void build(Shape inputShape) {
        embeddings = addWeight("embeddings", Shape.of(inputDim, outputDim), embeddingsInitializer);
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        Tensor ids = inputs.dtype() == DType.INT32 || inputs.dtype() == DType.INT64 ? inputs
                : Ops.cast(inputs, DType.INT32);
        return Ops.take(embeddings.value(), ids, 0);
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        long[] out = new long[inputShape.rank() + 1];
        System.arraycopy(inputShape.dims(), 0, out, 0, inputShape.rank());
        out[out.length - 1] = outputDim;
        return Shape.of(out);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of(
                "input_dim", inputDim,
                "output_dim", outputDim,
                "embeddings_initializer", Initializers.serialize(embeddingsInitializer),
                "embeddings_regularizer", null,
                "activity_regularizer", null,
                "embeddings_constraint", null,
                "mask_zero", false,
                "quantization_config", null));
    }

    public static Embedding fromConfig(Map<String, Object> c) {
        Builder b = builder(Configs.getInt(c, "input_dim"), Configs.getInt(c, "output_dim"))
                .name((String) c.get("name"))
                .maskZero(Configs.getBoolean(c, "mask_zero", false));
        Object init = c.get("embeddings_initializer");
        if (init instanceof String s) {
            b.embeddingsInitializer(s);
        } else if (init != null) {
            b.embeddingsInitializer(Initializers.deserialize(init));
        }
        Embedding e = b.build();
        e.setTrainable(Configs.getBoolean(c, "trainable", true));
        return e;
    }

    /** Builds an {@link Embedding} with Keras's optional arguments. */
    public static final class Builder {
        private final int inputDim;
        private final int outputDim;
        private String name;
        private Initializer embeddingsInitializer = new RandomUniform();
        private boolean maskZero;

        private Builder(int inputDim, int outputDim) {
            this.inputDim = inputDim;
            this.outputDim = outputDim;
        }

        /** Defaults to an auto-name, {@code "embedding"}. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Defaults to {@code "uniform"}: {@code RandomUniform(-0.05, 0.05)}. */
        public Builder embeddingsInitializer(String id) {
            return embeddingsInitializer("uniform".equals(id) ? new RandomUniform() : Initializers.get(id));
        }

        public Builder embeddingsInitializer(Initializer i) {
            this.embeddingsInitializer = i;
            return this;
        }

        /** Masking is not supported yet; only {@code false} is accepted. Defaults to {@code false}. */
        public Builder maskZero(boolean maskZero) {
            this.maskZero = maskZero;
            return this;
        }

        public Embedding build() {
            return new Embedding(this);
        }
    }
}
