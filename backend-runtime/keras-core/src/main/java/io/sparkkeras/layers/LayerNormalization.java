package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.initializers.Initializer;
import io.sparkkeras.initializers.Initializers;
import io.sparkkeras.ops.Nn;
import io.sparkkeras.utils.Configs;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Normalizes each sample over {@code axis}: {@code gamma * (x - mean) / sqrt(var + epsilon) + beta}, with
 * {@code mean} and {@code var} taken per sample over the normalized axes, in training and inference alike. Keras's
 * {@code LayerNormalization}.
 *
 * <p>Input shape: any. Output shape: the same. {@code gamma} and {@code beta} have the shape of the normalized
 * axes.
 *
 * <pre>{@code
 * LayerNormalization ln = new LayerNormalization();
 * LayerNormalization ln2 = LayerNormalization.builder().axis(1, 2).epsilon(1e-6).build();
 * }</pre>
 */
public final class LayerNormalization extends Layer {
    private final int[] axis;
    private final boolean axisIsList;
    private final double epsilon;
    private final boolean center;
    private final boolean scale;
    private final Initializer betaInitializer;
    private final Initializer gammaInitializer;
    private Variable gamma;
    private Variable beta;
    private int[] axes;
    private long[] broadcastShape;

    /** Normalizes the last axis with Keras's defaults. */
    public LayerNormalization() {
        this(builder());
    }

    private LayerNormalization(Builder b) {
        super(b.name);
        if (b.axis.length == 0) {
            throw new IllegalArgumentException("Received an invalid value for `axis`, expected an int or a "
                    + "non-empty list of ints. Received: axis=[]");
        }
        if (!(b.epsilon >= 0)) {
            throw new IllegalArgumentException("Received an invalid value for `epsilon`, expected a non-negative "
                    + "number. Received: epsilon=" + b.epsilon);
        }
        this.axis = b.axis.clone();
        this.axisIsList = b.axisIsList;
        this.epsilon = b.epsilon;
        this.center = b.center;
        this.scale = b.scale;
        this.betaInitializer = b.betaInitializer;
        this.gammaInitializer = b.gammaInitializer;
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

    @Override
    protected void build(Shape inputShape) {
        int rank = inputShape.rank();
        axes = canonicalAxes(inputShape);
        long[] weightShape = new long[axes.length];
        broadcastShape = new long[rank];
        Arrays.fill(broadcastShape, 1);
        for (int i = 0; i < axes.length; i++) {
            weightShape[i] = inputShape.get(axes[i]);
            broadcastShape[axes[i]] = weightShape[i];
        }
        if (scale) {
            gamma = addWeight("gamma", Shape.of(weightShape), gammaInitializer);
        }
        if (center) {
            beta = addWeight("beta", Shape.of(weightShape), betaInitializer);
        }
    }

    private int[] canonicalAxes(Shape inputShape) {
        int rank = inputShape.rank();
        int[] r = new int[axis.length];
        for (int i = 0; i < axis.length; i++) {
            if (axis[i] >= rank || axis[i] < -rank) {
                throw new IllegalArgumentException("Axis " + axis[i] + " is out of bounds for input shape "
                        + inputShape + " in layer '" + name() + "'. Received: axis=" + axisString());
            }
            r[i] = axis[i] < 0 ? axis[i] + rank : axis[i];
        }
        Arrays.sort(r);
        for (int i = 1; i < r.length; i++) {
            if (r[i] == r[i - 1]) {
                throw new IllegalArgumentException("Duplicate axes are not allowed. Received: axis=" + axisString());
            }
        }
        return r;
    }

    private String axisString() {
        return axisIsList ? Arrays.toString(axis) : Integer.toString(axis[0]);
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        List<Tensor> moments = Nn.moments(inputs, axes, true);
        return BatchNormalization.normalize(inputs, moments.get(0), moments.get(1),
                scale ? gamma.value() : null, center ? beta.value() : null, epsilon, broadcastShape);
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        canonicalAxes(inputShape);
        return inputShape;
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of(
                "axis", axisIsList ? Configs.list(axis) : axis[0],
                "epsilon", epsilon,
                "center", center,
                "scale", scale,
                "rms_scaling", false,
                "beta_initializer", Initializers.serialize(betaInitializer),
                "gamma_initializer", Initializers.serialize(gammaInitializer),
                "beta_regularizer", null,
                "gamma_regularizer", null,
                "beta_constraint", null,
                "gamma_constraint", null));
    }

    public static LayerNormalization fromConfig(Map<String, Object> c) {
        if (Configs.getBoolean(c, "rms_scaling", false)) {
            throw new IllegalArgumentException("rms_scaling is deprecated in Keras and not supported; use "
                    + "RMSNormalization. Received: rms_scaling=true in layer '" + c.get("name") + "'");
        }
        Builder b = builder()
                .name((String) c.get("name"))
                .epsilon(Configs.getDouble(c, "epsilon", 1e-3))
                .center(Configs.getBoolean(c, "center", true))
                .scale(Configs.getBoolean(c, "scale", true));
        Object a = c.get("axis");
        if (a instanceof List<?>) {
            b.axis(Configs.toInts("axis", a, 1));
        } else if (a != null) {
            b.axis(Configs.getInt(c, "axis"));
        }
        if (c.get("beta_initializer") != null) {
            b.betaInitializer(Initializers.deserialize(c.get("beta_initializer")));
        }
        if (c.get("gamma_initializer") != null) {
            b.gammaInitializer(Initializers.deserialize(c.get("gamma_initializer")));
        }
        LayerNormalization ln = b.build();
        ln.setTrainable(Configs.getBoolean(c, "trainable", true));
        return ln;
    }

    /** Builds a {@link LayerNormalization} with Keras's optional arguments. */
    public static final class Builder {
        private String name;
        private int[] axis = {-1};
        private boolean axisIsList;
        private double epsilon = 1e-3;
        private boolean center = true;
        private boolean scale = true;
        private Initializer betaInitializer = Initializers.get("zeros");
        private Initializer gammaInitializer = Initializers.get("ones");

        private Builder() {
        }

        /** Defaults to an auto-name, {@code "layer_normalization"}. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** The axis to normalize over. Defaults to {@code -1}. */
        public Builder axis(int axis) {
            this.axis = new int[] {axis};
            this.axisIsList = false;
            return this;
        }

        /** Several axes to normalize over together, as Keras's list form. */
        public Builder axis(int... axes) {
            this.axis = axes.clone();
            this.axisIsList = true;
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

        public LayerNormalization build() {
            return new LayerNormalization(this);
        }
    }
}
