package io.sparkkeras.layers;

import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * Takes the maximum over every spatial axis of a channels_last input. Keras's {@code GlobalMaxPooling2D}.
 *
 * <p>Input shape: {@code (batch_size, rows, cols, channels)}. Output shape: {@code (batch_size, channels)},
 * or {@code (batch_size, 1, 1, channels)} with
 * {@code keepdims}.
 *
 * <pre>{@code
 * GlobalMaxPooling2D pool = new GlobalMaxPooling2D();   // (batch, 7, 7, 32) -> (batch, 32)
 * }</pre>
 */
public final class GlobalMaxPooling2D extends BaseGlobalPooling {

    public GlobalMaxPooling2D() {
        this(builder());
    }

    private GlobalMaxPooling2D(Builder b) {
        super(2, b.keepdims, true, b.name);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static GlobalMaxPooling2D fromConfig(Map<String, Object> c) {
        ConvUtils.checkDataFormat(c);
        GlobalMaxPooling2D p = builder().name((String) c.get("name"))
                .keepdims(Configs.getBoolean(c, "keepdims", false)).build();
        p.setTrainable(Configs.getBoolean(c, "trainable", true));
        return p;
    }

    /** Builds a {@link GlobalMaxPooling2D} with Keras's optional arguments. */
    public static final class Builder {
        private String name;
        private boolean keepdims;

        private Builder() {
        }

        /** Defaults to an auto-name, {@code "global_max_pooling2d"}. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Whether to keep the spatial axes, with length 1. Defaults to {@code false}. */
        public Builder keepdims(boolean keepdims) {
            this.keepdims = keepdims;
            return this;
        }

        public GlobalMaxPooling2D build() {
            return new GlobalMaxPooling2D(this);
        }
    }
}
