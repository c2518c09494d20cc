package io.sparkkeras.data;

/**
 * The buffer addresses of one Arrow root of a {@link BatchLayout}: where row 0's features, label and sample weight
 * start (0 for a column the layout lacks). Filled by {@link BatchLayout#addresses}, kept and reused by whoever copies
 * rows, so the copy loop allocates nothing. Valid while the root's buffers are.
 */
public final class RowAddresses {
    long features;
    long label;
    long weight;

    /** Address of row 0's features. */
    public long features() {
        return features;
    }

    /** Address of row 0's label, or 0. */
    public long label() {
        return label;
    }

    /** Address of row 0's sample weight, or 0. */
    public long weight() {
        return weight;
    }
}
