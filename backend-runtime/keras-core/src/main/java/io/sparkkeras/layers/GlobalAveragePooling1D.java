package io.sparkkeras.layers;

import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * Takes the mean over every spatial axis of a channels_last input. Keras's {@code GlobalAveragePooling1D}.
 *
 * <p>Input shape: {@code (batch_size, steps, features)}. Output shape: {@code (batch_size, features)},
 * or {@code (batch_size, 1, features)} with
 * {@code keepdims}.
 *
 * <pre>{@code
 * GlobalAveragePooling1D pool = new GlobalAveragePooling1D();   // (batch, 10, 8) -> (batch, 8)
 * }</pre>
 */
public final class GlobalAveragePooling1D extends BaseGlobalPooling {

    public GlobalAveragePooling1D() {
        this(builder());
    }

    private GlobalAveragePooling1D(Builder b) {
        super(1, b.keepdims, false, b.name);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static GlobalAveragePooling1D fromConfig(Map<String, Object> c) {
        ConvUtils.checkDataFormat(c);
        GlobalAveragePooling1D p = builder().name((String) c.get("name"))
                .keepdims(Configs.getBoolean(c, "keepdims", false)).build();
        p.setTrainable(Configs.getBoolean(c, "trainable", true));
        return p;
    }

    /** Builds a {@link GlobalAveragePooling1D} with Keras's optional arguments. */
    public static final class Builder {
        private String name;
        private boolean keepdims;

        private Builder() {
        }

        /** Defaults to an auto-name, {@code "global_average_pooling1d"}. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Whether to keep the spatial axes, with length 1. Defaults to {@code false}. */
        public Builder keepdims(boolean keepdims) {
            this.keepdims = keepdims;
            return this;
        }

        public GlobalAveragePooling1D build() {
            return new GlobalAveragePooling1D(this);
        }
    }
}
