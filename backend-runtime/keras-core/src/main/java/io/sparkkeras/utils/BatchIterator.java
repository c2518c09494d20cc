package io.sparkkeras.utils;

/**
 * An iterator over one epoch's batches. Each {@link Batch} returned is owned by the caller, who closes it before
 * asking for the next one (a producer may reuse its memory). Not thread-safe: one consumer thread.
 */
public interface BatchIterator extends AutoCloseable {

    /** True if another batch follows. May block up to the producer's own timeout, never forever. */
    boolean hasNext();

    /** The next batch, owned by the caller. */
    Batch next();

    /** Stops the epoch early and releases buffered batches; idempotent. */
    @Override
    void close();
}
