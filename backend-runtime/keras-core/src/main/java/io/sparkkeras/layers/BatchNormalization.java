package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.initializers.Initializer;
import io.sparkkeras.initializers.Initializers;
import io.sparkkeras.ops.Nn;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.List;
import java.util.Map;

/**
 * Normalizes each feature along {@code axis}: {@code gamma * (x - mean) / sqrt(var + epsilon) + beta}. Keras's
 * {@code BatchNormalization}.
 *
 * <p>In training ({@code training=true} on a trainable layer) {@code mean} and {@code var} are the batch's moments
 * over every other axis, and the moving statistics move towards them:
 * {@code moving = moving * momentum + batch * (1 - momentum)}. In inference the moving statistics are used.
 * Weights, in Keras's order: {@code gamma} and {@code beta} (trainable, when {@code scale}/{@code center}), then
 * {@code moving_mean} and {@code moving_variance} (non-trainable).
 *
 * <p>Input shape: any. Output shape: the same.
 *
 * <pre>{@code
 * BatchNormalization bn = new BatchNormalization();
 * BatchNormalization fast = BatchNormalization.builder().momentum(0.9).epsilon(1e-5).build();
 * }</pre>
 */
public final class BatchNormalization extends Layer {
    private final int axis;
    private final double momentum;
    private final double epsilon;
    private final boolean center;
    private final boolean scale;
    private final Initializer betaInitializer;
    private final Initializer gammaInitializer;
    private final Initializer movingMeanInitializer;
    private final Initializer movingVarianceInitializer;
    private Variable gamma;
    private Variable beta;
    private Variable movingMean;
    private Variable movingVariance;
    private int[] reductionAxes;
    private long[] broadcastShape;

    /** Normalizes the last axis with Keras's defaults. */
    public BatchNormalization() {
        this(builder());
    }

    private BatchNormalization(Builder b) {
        super(b.name);
        if (!(b.momentum >= 0 && b.momentum <= 1)) {
            throw new IllegalArgumentException("Received an invalid value for `momentum`, expected a number in "
                    + "[0, 1]. Received: momentum=" + b.momentum);
        }
        if (!(b.epsilon >= 0)) {
            throw new IllegalArgumentException("Received an invalid value for `epsilon`, expected a non-negative "
                    + "number. Received: epsilon=" + b.epsilon);
        }
        this.axis = b.axis;
        this.momentum = b.momentum;
        this.epsilon = b.epsilon;
        this.center = b.center;
        this.scale = b.scale;
        this.betaInitializer = b.betaInitializer;
        this.gammaInitializer = b.gammaInitializer;
        this.movingMeanInitializer = b.movingMeanInitializer;
        this.movingVarianceInitializer = b.movingVarianceInitializer;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Variable gamma() {
        return gamma;
    }

    public Variable beta() {
        return beta;
    }

    public Variable movingMean() {
        return movingMean;
    }

    public Variable movingVariance() {
        return movingVariance;
    }

    @Override
    protected void build(Shape inputShape) {
        int a = canonicalAxis(inputShape);
        Shape shape = Shape.of(inputShape.get(a));
        if (scale) {
            gamma = addWeight("gamma", shape, gammaInitializer);
        }
        if (center) {
            beta = addWeight("beta", shape, betaInitializer);
        }
        movingMean = addWeight("moving_mean", shape, movingMeanInitializer, false);
        movingVariance = addWeight("moving_variance", shape, movingVarianceInitializer, false);
        int rank = inputShape.rank();
        reductionAxes = new int[rank - 1];
        broadcastShape = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            broadcastShape[i] = i == a ? inputShape.get(a) : 1;
            if (i != a) {
                reductionAxes[j++] = i;
            }
        }
        setInputSpec(new InputSpec(rank, -1, a == rank - 1 ? inputShape.get(a) : -1));
    }

    private int canonicalAxis(Shape inputShape) {
        int rank = inputShape.rank();
        if (axis >= rank || axis < -rank) {
            throw new IllegalArgumentException("Axis " + axis + " is out of bounds for input shape " + inputShape
                    + " in layer '" + name() + "'. Received: axis=" + axis);
        }
        return axis < 0 ? axis + rank : axis;
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        Tensor mean;
        Tensor variance;
        if (training && trainable()) {
            List<Tensor> moments = Nn.moments(inputs, reductionAxes, false);
            mean = moments.get(0);
            variance = moments.get(1);
            movingMean.assign(Ops.add(Ops.multiply(movingMean.value(), momentum),
                    Ops.multiply(mean, 1.0 - momentum)));
            movingVariance.assign(Ops.add(Ops.multiply(movingVariance.value(), momentum),
                    Ops.multiply(variance, 1.0 - momentum)));
        } else {
            mean = movingMean.value();
            variance = movingVariance.value();
        }
        return normalize(inputs, mean, variance, scale ? gamma.value() : null, center ? beta.value() : null,
                epsilon, broadcastShape);
    }

    /**
     * Keras's {@code ops.batch_normalization}: {@code x * inv + (beta - mean * inv)} with
     * {@code inv = gamma / sqrt(variance + epsilon)}; statistics and weights are reshaped to {@code broadcastShape}
     * unless they already broadcast.
     */
    static Tensor normalize(Tensor x, Tensor mean, Tensor variance, Tensor gamma, Tensor beta, double epsilon,
            long[] broadcastShape) {
        Tensor inv = Ops.divide(Ops.scalar(1.0), Ops.sqrt(Ops.add(broadcast(variance, broadcastShape), epsilon)));
        if (gamma != null) {
            inv = Ops.multiply(inv, broadcast(gamma, broadcastShape));
        }
        Tensor res = Ops.negative(Ops.multiply(broadcast(mean, broadcastShape), inv));
        if (beta != null) {
            res = Ops.add(res, broadcast(beta, broadcastShape));
        }
        return Ops.add(Ops.multiply(x, inv), res);
    }

    private static Tensor broadcast(Tensor t, long[] shape) {
        return t.shape().rank() == shape.length ? t : Ops.reshape(t, shape);
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        canonicalAxis(inputShape);
        return inputShape;
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of(
                "axis", axis,
                "momentum", momentum,
                "epsilon", epsilon,
                "center", center,
                "scale", scale,
                "beta_initializer", Initializers.serialize(betaInitializer),
                "gamma_initializer", Initializers.serialize(gammaInitializer),
                "moving_mean_initializer", Initializers.serialize(movingMeanInitializer),
                "moving_variance_initializer", Initializers.serialize(movingVarianceInitializer),
                "beta_regularizer", null,
                "gamma_regularizer", null,
                "beta_constraint", null,
                "gamma_constraint", null,
                "synchronized", false,
                "renorm", false,
                "renorm_clipping", null,
                "renorm_momentum", 0.99));
    }

    public static BatchNormalization fromConfig(Map<String, Object> c) {
        if (Configs.getBoolean(c, "renorm", false)) {
            throw new IllegalArgumentException("Batch renormalization is not supported yet. Received: renorm=true "
                    + "in layer '" + c.get("name") + "'");
        }
        Builder b = builder()
                .name((String) c.get("name"))
                .axis(axisOf(c))
                .momentum(Configs.getDouble(c, "momentum", 0.99))
                .epsilon(Configs.getDouble(c, "epsilon", 1e-3))
                .center(Configs.getBoolean(c, "center", true))
                .scale(Configs.getBoolean(c, "scale", true));
        if (c.get("beta_initializer") != null) {
            b.betaInitializer(Initializers.deserialize(c.get("beta_initializer")));
        }
        if (c.get("gamma_initializer") != null) {
            b.gammaInitializer(Initializers.deserialize(c.get("gamma_initializer")));
        }
        if (c.get("moving_mean_initializer") != null) {
            b.movingMeanInitializer(Initializers.deserialize(c.get("moving_mean_initializer")));
        }
        if (c.get("moving_variance_initializer") != null) {
            b.movingVarianceInitializer(Initializers.deserialize(c.get("moving_variance_initializer")));
        }
        BatchNormalization bn = b.build();
        bn.setTrainable(Configs.getBoolean(c, "trainable", true));
        return bn;
    }

    /** Keras 2 configs wrote {@code axis} as a one-element list. */
    private static int axisOf(Map<String, Object> c) {
        Object a = c.get("axis");
        if (a instanceof List<?> l && l.size() == 1) {
            return ((Number) l.get(0)).intValue();
        }
        return Configs.getInt(c, "axis", -1);
    }

    /** Builds a {@link BatchNormalization} with Keras's optional arguments. */
    public static final class Builder {
        private String name;
        private int axis = -1;
        private double momentum = 0.99;
        private double epsilon = 1e-3;
        private boolean center = true;
        private boolean scale = true;
        private Initializer betaInitializer = Initializers.get("zeros");
        private Initializer gammaInitializer = Initializers.get("ones");
        private Initializer movingMeanInitializer = Initializers.get("zeros");
        private Initializer movingVarianceInitializer = Initializers.get("ones");

        private Builder() {
        }

        /** Defaults to an auto-name, {@code "batch_normalization"}. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** The features axis. Defaults to {@code -1}. */
        public Builder axis(int axis) {
            this.axis = axis;
            return this;
        }

        /** Defaults to {@code 0.99}. */
        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        /** Defaults to {@code 1e-3}. */
        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /** Whether to add {@code beta}. Defaults to {@code true}. */
        public Builder center(boolean center) {
            this.center = center;
            return this;
        }

        /** Whether to multiply by {@code gamma}. Defaults to {@code true}. */
        public Builder scale(boolean scale) {
            this.scale = scale;
            return this;
        }

        /** Defaults to {@code "zeros"}. */
        public Builder betaInitializer(Initializer i) {
            this.betaInitializer = i;
            return this;
        }

        /** Defaults to {@code "ones"}. */
        public Builder gammaInitializer(Initializer i) {
            this.gammaInitializer = i;
            return this;
        }

        /** Defaults to {@code "zeros"}. */
        public Builder movingMeanInitializer(Initializer i) {
            this.movingMeanInitializer = i;
            return this;
        }

        /** Defaults to {@code "ones"}. */
        public Builder movingVarianceInitializer(Initializer i) {
            this.movingVarianceInitializer = i;
            return this;
        }

        public BatchNormalization build() {
            return new BatchNormalization(this);
        }
    }
}
