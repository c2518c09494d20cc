package io.sparkkeras.allreduce;

/**
 * How {@link Communicator#allreduce(float[], ReduceOp)} combines the ranks' values element by element.
 *
 * <p>{@code SUM} is {@code x_0 + x_1 + ... + x_{N-1}}, {@code AVERAGE} is that sum divided by {@code N} (one float
 * division, done once by the rank that owns the segment), {@code MAX} the largest value. The ring adds in a fixed
 * order, so every rank receives the same bits.
 */
public enum ReduceOp
{
    /** Element-wise sum. */
    SUM,
    /** Element-wise sum divided by the number of ranks. */
    AVERAGE,
    /** Element-wise maximum. */
    MAX
}
