package io.sparkkeras.data;

/**
 * Rows in a {@link BatchLayout} that can be read in passes: an in-memory {@link ArrowTable}, an Arrow IPC file or
 * stream ({@link ArrowIpc}). {@link ArrowDataset} batches, shuffles, shards and prefetches any source.
 */
public interface ArrowSource extends AutoCloseable {

    /** The layout of every chunk. */
    BatchLayout layout();

    /** Rows per pass, or {@code -1} when unknown before reading. */
    long rowCount();

    /** Opens a pass over all rows, owned by the caller, who closes it. */
    ArrowChunkReader open();

    /** Releases what the source holds; idempotent. Defaults to nothing. */
    @Override
    default void close() {
    }
}
