package io.sparkkeras.backend;

/**
 * Registers a backend with {@link java.util.ServiceLoader} ({@code META-INF/services/io.sparkkeras.backend.BackendProvider}).
 * Creating the backend loads its natives, so it happens only when the backend is first selected.
 */
public interface BackendProvider {
    /** The Keras name, {@code "torch"} or {@code "tensorflow"}. */
    String name();

    /** Loads the engine and returns the backend. */
    Backend create();
}
