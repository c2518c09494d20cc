package io.sparkkeras.data;

import io.sparkkeras.utils.BatchDataset;
import io.sparkkeras.utils.BatchIterator;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keras-core's {@link BatchDataset} over an {@link ArrowSource}: batches of {@code batchSize} rows whose features
 * and labels are views of Arrow buffers ({@code NdArray.wrap}, no copy), with seeded shuffling, sharding by rank, a
 * fixed number of steps per epoch, and prefetch on a background thread.
 *
 * <p>Shuffling: over an {@link ArrowTable}, a full seeded permutation of the rank's rows each epoch (no extra
 * memory); over other sources, or when {@link Builder#shuffleBufferRows} is set, a shuffle buffer of that many rows
 * (as {@code tf.data}). The seed for epoch {@code e} is derived from {@code (seed, e)}, so runs are reproducible.
 *
 * <p>Sharding: rank {@code r} of {@code n} takes the rows whose index in a pass is {@code r (mod n)}.
 *
 * <p>Steps: by default one pass over the shard per epoch (the last batch may be short unless
 * {@code dropRemainder}). With {@link Builder#stepsPerEpoch}, every epoch has exactly that many full batches,
 * restarting the source as often as needed: distributed ranks agree on the number and never wait on each other.
 *
 * <p>Memory: the dataset takes a child of the given allocator (or its own root allocator); batches live in a small
 * pool of reused roots per iterator. Closing an iterator frees its roots, closing the dataset frees the allocator
 * (which then reports zero).
 *
 * <pre>{@code
 * try (ArrowTable train = FashionMnist.load(allocator, FashionMnist.Split.TRAIN);
 *      ArrowDataset data = ArrowDataset.builder(train).batchSize(128).shuffle(true).seed(42)
 *              .featureShape(28, 28, 1).build()) {
 *     model.fit(data, new FitOptions().epochs(10));
 * }
 * }</pre>
 */
public final class ArrowDataset implements BatchDataset {
    private final ArrowSource source;
    private final boolean ownsSource;
    private final BufferAllocator allocator;
    private final boolean ownsRootAllocator;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int shuffleBufferRows;
    private final int rank;
    private final int numShards;
    private final long stepsPerEpoch;
    private final boolean dropRemainder;
    private final int prefetchBatches;
    private final long timeoutNs;
    private final int[] featureShape;
    private final List<ArrowBatchIterator> open = new ArrayList<>();
    private boolean closed;

    private ArrowDataset(Builder b) {
        this.source = b.source;
        this.ownsSource = b.ownsSource;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.shuffleBufferRows = b.shuffleBufferRows;
        this.rank = b.rank;
        this.numShards = b.numShards;
        this.stepsPerEpoch = b.stepsPerEpoch;
        this.dropRemainder = b.dropRemainder;
        this.prefetchBatches = b.prefetchBatches;
        this.timeoutNs = b.timeoutNs;
        this.featureShape = b.featureShape;
        if (b.allocator == null) {
            this.allocator = new RootAllocator();
            this.ownsRootAllocator = true;
        } else {
            this.allocator = b.allocator.newChildAllocator("arrow-dataset", 0, Long.MAX_VALUE);
            this.ownsRootAllocator = false;
        }
    }

    /** A builder of a dataset over {@code source} (not owned unless {@link Builder#ownsSource}). */
    public static Builder builder(ArrowSource source) {
        return new Builder(source);
    }

    /**
     * Batches per epoch: {@code stepsPerEpoch} if set, else from the shard's row count; {@code -1} if the source
     * does not know its row count.
     */
    @Override
    public long numBatches() {
        if (stepsPerEpoch > 0) {
            return stepsPerEpoch;
        }
        long rows = source.rowCount();
        if (rows < 0) {
            return -1;
        }
        long mine = shardRows(rows, rank, numShards);
        return dropRemainder ? mine / batchSize : (mine + batchSize - 1) / batchSize;
    }

    /** Rows rank {@code rank} of {@code numShards} gets from a pass of {@code rows} rows. */
    public static long shardRows(long rows, int rank, int numShards) {
        return rows / numShards + (rank < rows % numShards ? 1 : 0);
    }

    /**
     * Opens epoch {@code epoch}; the iterator is owned by the caller. With prefetch, a background thread named
     * {@code spark-keras-prefetch-r<rank>-e<epoch>} fills batches until the epoch ends or the iterator closes.
     */
    @Override
    public synchronized BatchIterator iterator(int epoch) {
        if (closed) {
            throw new IllegalStateException("ArrowDataset over " + source.layout() + " is closed");
        }
        open.removeIf(ArrowBatchIterator::isClosed);
        ArrowBatchIterator it = new ArrowBatchIterator(this, epoch);
        open.add(it);
        return it;
    }

    RowStream newRowStream(int epoch, BufferAllocator iteratorAllocator) {
        boolean repeat = stepsPerEpoch > 0;
        java.util.SplittableRandom random = new java.util.SplittableRandom(mix(seed, epoch));
        if (!shuffle) {
            return new RowStream.Sequential(source, rank, numShards, repeat);
        }
        if (source instanceof ArrowTable table && shuffleBufferRows == 0) {
            return new RowStream.Permuted(table, rank, numShards, random, repeat);
        }
        int bufferRows = shuffleBufferRows > 0 ? shuffleBufferRows : Math.max(1024, 16 * batchSize);
        RowStream input = new RowStream.Sequential(source, rank, numShards, repeat);
        try {
            return new RowStream.Buffered(input, source.layout(), bufferRows, random, iteratorAllocator);
        } catch (RuntimeException e) {
            input.close();
            throw e;
        }
    }

    private static long mix(long seed, int epoch) {
        long z = seed * 0x9E3779B97F4A7C15L + (epoch + 1L) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        return z ^ (z >>> 31);
    }

    BufferAllocator allocator() {
        return allocator;
    }

    BatchLayout layout() {
        return source.layout();
    }

    int batchSize() {
        return batchSize;
    }

    long stepsPerEpoch() {
        return stepsPerEpoch;
    }

    boolean dropRemainder() {
        return dropRemainder;
    }

    int prefetchBatches() {
        return prefetchBatches;
    }

    long timeoutNs() {
        return timeoutNs;
    }

    int[] featureShape() {
        return featureShape;
    }

    int rank() {
        return rank;
    }

    int numShards() {
        return numShards;
    }

    /** Bytes of Arrow memory the dataset's iterators hold now (0 when none is open). */
    public long allocatedBytes() {
        return allocator.getAllocatedMemory();
    }

    /** Closes open iterators, the source if owned, and the allocator (which must then hold nothing); idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        open.clear();
        if (ownsSource) {
            try {
                source.close();
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        try {
            allocator.close();
        } catch (RuntimeException e) {
            failure = add(failure, e);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** Configuration of an {@link ArrowDataset}, read once by {@link #build()}. */
    public static final class Builder {
        private final ArrowSource source;
        private boolean ownsSource;
        private BufferAllocator allocator;
        private int batchSize = 32;
        private boolean shuffle;
        private long seed;
        private int shuffleBufferRows;
        private int rank;
        private int numShards = 1;
        private long stepsPerEpoch;
        private boolean dropRemainder;
        private int prefetchBatches = 2;
        private long timeoutNs = TimeUnit.SECONDS.toNanos(120);
        private int[] featureShape;

        private Builder(ArrowSource source) {
            if (source == null) {
                throw new IllegalArgumentException("Received an invalid value for `source`, expected an ArrowSource. "
                        + "Received: source=null");
            }
            this.source = source;
        }

        /** Rows per batch. Defaults to {@code 32} (Keras's default). */
        public Builder batchSize(int rows) {
            this.batchSize = rows;
            return this;
        }

        /** Whether to shuffle each epoch. Defaults to {@code false}. */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Seed of the shuffle; epoch {@code e} uses a seed derived from it and {@code e}. Defaults to {@code 0}. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Rows in the shuffle buffer. Defaults to {@code 0}: a full permutation over an {@link ArrowTable}, else
         * {@code max(1024, 16 × batchSize)}.
         */
        public Builder shuffleBufferRows(int rows) {
            this.shuffleBufferRows = rows;
            return this;
        }

        /** This process's shard: rows with pass index {@code ≡ rank (mod numShards)}. Defaults to {@code (0, 1)}. */
        public Builder shard(int rank, int numShards) {
            this.rank = rank;
            this.numShards = numShards;
            return this;
        }

        /** Exactly this many full batches per epoch, restarting the source as needed. Defaults to one pass. */
        public Builder stepsPerEpoch(long steps) {
            this.stepsPerEpoch = steps;
            return this;
        }

        /** Whether to drop a last short batch. Defaults to {@code false}. */
        public Builder dropRemainder(boolean drop) {
            this.dropRemainder = drop;
            return this;
        }

        /** Batches prepared ahead on a background thread; {@code 0} prepares them on the caller's. Defaults to 2. */
        public Builder prefetch(int batches) {
            this.prefetchBatches = batches;
            return this;
        }

        /** Longest wait for a batch or a free buffer before failing. Defaults to 120 s. */
        public Builder timeout(long duration, TimeUnit unit) {
            this.timeoutNs = unit.toNanos(duration);
            return this;
        }

        /** Shape of one sample's features, e.g. {@code (28, 28, 1)}. Defaults to {@code (featureSize)}. */
        public Builder featureShape(int... shape) {
            this.featureShape = shape.clone();
            return this;
        }

        /** Allocator the dataset takes a child of. Defaults to a root allocator of its own. */
        public Builder allocator(BufferAllocator allocator) {
            this.allocator = allocator;
            return this;
        }

        /** Whether closing the dataset closes the source. Defaults to {@code false}. */
        public Builder ownsSource(boolean owns) {
            this.ownsSource = owns;
            return this;
        }

        /** Validates and builds. */
        public ArrowDataset build() {
            check(batchSize >= 1, "batchSize", "a positive integer", batchSize);
            check(numShards >= 1, "numShards", "a positive integer", numShards);
            check(rank >= 0 && rank < numShards, "rank", "an integer in [0, numShards=" + numShards + ")", rank);
            check(stepsPerEpoch >= 0, "stepsPerEpoch", "an integer >= 0", stepsPerEpoch);
            check(shuffleBufferRows >= 0, "shuffleBufferRows", "an integer >= 0", shuffleBufferRows);
            check(prefetchBatches >= 0, "prefetch", "an integer >= 0", prefetchBatches);
            check(timeoutNs > 0, "timeout", "a positive duration", timeoutNs + " ns");
            int d = source.layout().featureSize();
            if (featureShape == null) {
                featureShape = new int[] {d};
            } else {
                long product = 1;
                for (int s : featureShape) {
                    check(s >= 1, "featureShape", "positive dimensions", Arrays.toString(featureShape));
                    product *= s;
                }
                check(product == d, "featureShape", "dimensions whose product is the feature size " + d,
                        Arrays.toString(featureShape));
            }
            return new ArrowDataset(this);
        }

        private static void check(boolean ok, String name, String expected, Object received) {
            if (!ok) {
                throw new IllegalArgumentException("Received an invalid value for `" + name + "`, expected "
                        + expected + ". Received: " + name + "=" + received);
            }
        }
    }
}
