package io.sparkkeras.layers;

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
        this(null, false);
    }

    private GlobalAveragePooling1D(String name, boolean keepdims) {
        super(1, keepdims, false, name);
    }

    /** Optional arguments: {@code name}, {@code keepdims}. */
    public static Builder<GlobalAveragePooling1D> builder() {
        return new Builder<>(GlobalAveragePooling1D::new);
    }

    public static GlobalAveragePooling1D fromConfig(Map<String, Object> c) {
        return BaseGlobalPooling.fromConfig(builder(), c);
    }
}
