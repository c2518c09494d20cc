package io.sparkkeras.utils;

/**
 * A source of batches for {@code fit}, {@code evaluate} and {@code predict}: the role Keras's {@code PyDataset}
 * plays. Java arrays, Arrow files and Spark partitions all reach the trainer through this interface.
 *
 * <p>Each epoch opens a fresh {@link BatchIterator}; a dataset that shuffles uses the epoch number to reseed, so
 * runs are reproducible. {@link #numBatches()} is Keras's {@code __len__}: distributed ranks must all report the same
 * value, so they run the same number of steps.
 *
 * <pre>{@code
 * BatchDataset data = ArrayDataset.builder(x, y).batchSize(128).shuffle(true).seed(42).build();
 * model.fit(data, new FitOptions().epochs(10));
 * }</pre>
 */
public interface BatchDataset extends AutoCloseable {

    /** Batches per epoch, or {@code -1} when unknown (iterate until exhausted). */
    long numBatches();

    /**
     * Opens an iterator over one epoch.
     *
     * @param epoch zero-based epoch number, for per-epoch shuffling
     * @return an iterator owned by the caller, who closes it
     */
    BatchIterator iterator(int epoch);

    /** Releases what the dataset holds. Defaults to nothing. */
    @Override
    default void close() {
    }
}
