package io.sparkkeras.backend;

/**
 * Owns every tensor made on this thread while it is the current scope, and frees them at {@link #close()}: one
 * scope per training step keeps native memory flat across epochs (DJL's {@code NDManager} sub-manager).
 *
 * <pre>{@code
 * try (Scope step = backend.core().newScope()) {
 *     Tensor loss = ...;            // freed when the step ends
 *     Tensor kept = step.keep(y);   // handed to the enclosing scope
 * }
 * }</pre>
 */
public interface Scope extends AutoCloseable {

    /** Hands {@code t} to the enclosing scope (DJL's {@code ret}); returns it. */
    Tensor keep(Tensor t);

    /** Number of live tensors this scope owns (for leak checks in tests). */
    int liveTensors();

    /** Frees every tensor this scope owns and restores the enclosing scope; idempotent. */
    @Override
    void close();
}
