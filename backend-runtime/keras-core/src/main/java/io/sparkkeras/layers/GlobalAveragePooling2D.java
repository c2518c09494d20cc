package io.sparkkeras.layers;

import java.util.Map;

/**
 * Takes the mean over every spatial axis of a channels_last input. Keras's {@code GlobalAveragePooling2D}.
 *
 * <p>Input shape: {@code (batch_size, rows, cols, channels)}. Output shape: {@code (batch_size, channels)},
 * or {@code (batch_size, 1, 1, channels)} with
 * {@code keepdims}.
 *
 * <pre>{@code
 * GlobalAveragePooling2D pool = new GlobalAveragePooling2D();   // (batch, 7, 7, 32) -> (batch, 32)
 * }</pre>
 */
public final class GlobalAveragePooling2D extends BaseGlobalPooling {

    public GlobalAveragePooling2D() {
        this(null, false);
    }

    private GlobalAveragePooling2D(String name, boolean keepdims) {
        super(2, keepdims, false, name);
    }

    /** Optional arguments: {@code name}, {@code keepdims}. */
    public static Builder<GlobalAveragePooling2D> builder() {
        return new Builder<>(GlobalAveragePooling2D::new);
    }

    public static GlobalAveragePooling2D fromConfig(Map<String, Object> c) {
        return BaseGlobalPooling.fromConfig(builder(), c);
    }
}
