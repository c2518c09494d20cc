package io.sparkkeras.saving;

import java.nio.file.Path;

/**
 * A {@code .keras} or {@code .weights.h5} file could not be read or written: it is not a zip archive or is truncated,
 * an entry is missing, its JSON is malformed, it names a class that is not known here, or a weight does not fit the
 * model. The message says which file, which entry (and where inside it) and what was expected.
 *
 * <p>Callers that load files they do not control catch this one type.
 */
public final class KerasFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String entry;

    /**
     * @param file  the file on disk (may be {@code null} for in-memory data)
     * @param entry the zip entry or HDF5 path concerned, or {@code null}
     */
    public KerasFileException(Path file, String entry, String message, Throwable cause) {
        super(describe(file, entry) + message, cause);
        this.file = file;
        this.entry = entry;
    }

    public KerasFileException(Path file, String entry, String message) {
        this(file, entry, message, null);
    }

    private static String describe(Path file, String entry) {
        String where = file == null ? "" : "'" + file + "'";
        if (entry != null) {
            where = where.isEmpty() ? entry : where + ", " + entry;
        }
        return where.isEmpty() ? "" : where + ": ";
    }

    /** The file concerned, or {@code null}. */
    public Path file() {
        return file;
    }

    /** The zip entry or HDF5 path concerned ({@code "config.json"}, {@code "layers/dense/vars/0"}), or {@code null}. */
    public String entry() {
        return entry;
    }
}
