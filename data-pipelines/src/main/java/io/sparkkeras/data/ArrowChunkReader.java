package io.sparkkeras.data;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * One pass over an {@link ArrowSource}'s rows, chunk by chunk. Owned and used by one thread.
 *
 * <pre>{@code
 * try (ArrowChunkReader r = source.open()) {
 *     for (VectorSchemaRoot chunk = r.next(); chunk != null; chunk = r.next()) {
 *         total += chunk.getRowCount();
 *     }
 * }
 * }</pre>
 */
public interface ArrowChunkReader extends AutoCloseable {

    /**
     * The next chunk, in the source's {@link BatchLayout}, or {@code null} at the end. The root is owned by the
     * reader and valid until the next call to {@code next} or {@link #close()}.
     */
    VectorSchemaRoot next();

    /** Releases what the pass holds; idempotent. */
    @Override
    void close();
}
