package io.sparkkeras.backend;

import java.util.Locale;

/** Element types, named as Keras names them ({@code "float32"}, {@code "int64"}...). */
public enum DType {
    FLOAT32("float32", 4),
    FLOAT64("float64", 8),
    INT32("int32", 4),
    INT64("int64", 8),
    UINT8("uint8", 1),
    BOOL("bool", 1);

    private final String kerasName;
    private final int byteSize;

    DType(String kerasName, int byteSize) {
        this.kerasName = kerasName;
        this.byteSize = byteSize;
    }

    /** The Keras name, as written in configs ({@code "float32"}). */
    public String kerasName() {
        return kerasName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /**
     * Resolves a Keras dtype name.
     *
     * @throws IllegalArgumentException naming the value and the known names
     */
    public static DType of(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (DType t : values()) {
            if (t.kerasName.equals(n)) {
                return t;
            }
        }
        throw new IllegalArgumentException("Received an invalid value for `dtype`, expected one of "
                + "float32, float64, int32, int64, uint8, bool. Received: dtype=" + name);
    }

    @Override
    public String toString() {
        return kerasName;
    }
}
