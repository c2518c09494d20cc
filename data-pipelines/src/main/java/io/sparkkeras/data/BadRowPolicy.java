package io.sparkkeras.data;

/**
 * What a reader does with a row it cannot turn into a sample: a null row, a null or non-finite value, a feature
 * array of the wrong length, a label that does not fit the label type.
 */
public enum BadRowPolicy {
    /** Throw an {@link IllegalArgumentException} naming the column, the partition and offset, and what was expected. */
    FAIL,
    /** Drop the row and count it (see {@link PartitionReader#skippedRows()}). */
    SKIP
}
