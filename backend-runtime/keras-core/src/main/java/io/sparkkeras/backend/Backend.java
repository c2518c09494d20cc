package io.sparkkeras.backend;

/**
 * An engine that runs Keras: the SPI each backend module implements, found with {@link java.util.ServiceLoader}.
 * Its parts mirror Keras 3's backend modules ({@code core}, {@code numpy}, {@code nn}, {@code random}), so two
 * backends read side by side.
 *
 * <p>Select one with {@link Backends}: {@code KERAS_BACKEND} (environment or system property), then
 * {@code ~/.keras/keras.json}, then code.
 */
public interface Backend {

    /** The Keras name: {@code "torch"} or {@code "tensorflow"}. */
    String name();

    CoreOps core();

    NumpyOps numpy();

    NnOps nn();

    RandomOps random();

    /** Fused optimizer updates, where the engine has them. Defaults to none. */
    default OptimizerKernels optimizerKernels() {
        return new OptimizerKernels() {
        };
    }
}
