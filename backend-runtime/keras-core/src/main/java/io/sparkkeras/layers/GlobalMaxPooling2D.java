package io.sparkkeras.layers;

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
        this(null, false);
    }

    private GlobalMaxPooling2D(String name, boolean keepdims) {
        super(2, keepdims, true, name);
    }

    /** Optional arguments: {@code name}, {@code keepdims}. */
    public static Builder<GlobalMaxPooling2D> builder() {
        return new Builder<>(GlobalMaxPooling2D::new);
    }

    public static GlobalMaxPooling2D fromConfig(Map<String, Object> c) {
        return BaseGlobalPooling.fromConfig(builder(), c);
    }
}
