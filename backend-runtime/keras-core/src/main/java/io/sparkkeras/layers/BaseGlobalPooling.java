package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.Map;
import java.util.function.BiFunction;

/**
 * The shared body of the global pooling layers: reduces every spatial axis of a channels_last input by mean or max.
 * Keras's {@code BaseGlobalPooling}.
 */
public abstract class BaseGlobalPooling extends Layer {
    private final int rank;
    private final boolean keepdims;
    private final boolean max;

    protected BaseGlobalPooling(int rank, boolean keepdims, boolean max, String name) {
        super(name);
        this.rank = rank;
        this.keepdims = keepdims;
        this.max = max;
        setInputSpec(InputSpec.ndim(rank + 2));
    }

    public boolean keepdims() {
        return keepdims;
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        int[] axes = new int[rank];
        for (int i = 0; i < rank; i++) {
            axes[i] = i + 1;
        }
        return max ? Ops.max(inputs, axes, keepdims) : Ops.mean(inputs, axes, keepdims);
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        if (!keepdims) {
            return Shape.of(inputShape.get(0), inputShape.last());
        }
        long[] out = new long[rank + 2];
        java.util.Arrays.fill(out, 1);
        out[0] = inputShape.get(0);
        out[rank + 1] = inputShape.last();
        return Shape.of(out);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("data_format", "channels_last", "keepdims", keepdims));
    }

    /** Reads the shared config keys into a layer made by {@code builder}. */
    static <L extends BaseGlobalPooling> L fromConfig(Builder<L> builder, Map<String, Object> c) {
        ConvUtils.checkDataFormat(c);
        L p = builder.name((String) c.get("name")).keepdims(Configs.getBoolean(c, "keepdims", false)).build();
        p.setTrainable(Configs.getBoolean(c, "trainable", true));
        return p;
    }

    /** Keras's optional global-pooling arguments, for every global pooling layer. */
    public static final class Builder<L extends BaseGlobalPooling> {
        private final BiFunction<String, Boolean, L> factory;
        private String name;
        private boolean keepdims;

        Builder(BiFunction<String, Boolean, L> factory) {
            this.factory = factory;
        }

        /** Defaults to an auto-name from the class ({@code "global_average_pooling2d"}). */
        public Builder<L> name(String name) {
            this.name = name;
            return this;
        }

        /** Whether to keep the spatial axes, with length 1. Defaults to {@code false}. */
        public Builder<L> keepdims(boolean keepdims) {
            this.keepdims = keepdims;
            return this;
        }

        public L build() {
            return factory.apply(name, keepdims);
        }
    }
}
