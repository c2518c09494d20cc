package io.sparkkeras.data;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A stream of rows copied one at a time into batch roots: the source's rows in this rank's shard, in order, in a
 * seeded permutation, or through a shuffle buffer; optionally repeating pass after pass (fixed steps per epoch).
 * Owned by the one thread that produces batches.
 */
abstract class RowStream implements AutoCloseable {

    /**
     * Copies the next row to row {@code dstRow} of the root at {@code dst}.
     *
     * @return false at the end of the stream
     */
    abstract boolean copyNext(RowAddresses dst, int dstRow);

    @Override
    public abstract void close();

    /** True when a row with global index {@code index} in a pass belongs to shard {@code rank} of {@code shards}. */
    static boolean inShard(long index, int rank, int shards) {
        return index % shards == rank;
    }

    /** The rows of any source in order, those of one shard, pass after pass when {@code repeat}. */
    static final class Sequential extends RowStream {
        private final ArrowSource source;
        private final BatchLayout layout;
        private final int rank;
        private final int shards;
        private final boolean repeat;
        private ArrowChunkReader reader;
        private final RowAddresses chunkAt = new RowAddresses();
        private VectorSchemaRoot chunk;
        private int chunkRows;
        private int at;
        private long globalIndex;
        private long rowsThisPass;

        Sequential(ArrowSource source, int rank, int shards, boolean repeat) {
            this.source = source;
            this.layout = source.layout();
            this.rank = rank;
            this.shards = shards;
            this.repeat = repeat;
            this.reader = source.open();
        }

        @Override
        boolean copyNext(RowAddresses dst, int dstRow) {
            while (true) {
                if (at < chunkRows) {
                    int row = at++;
                    if (inShard(globalIndex++, rank, shards)) {
                        layout.copyRow(chunkAt, row, dst, dstRow);
                        rowsThisPass++;
                        return true;
                    }
                    continue;
                }
                chunk = reader.next();
                if (chunk == null) {
                    if (!repeat || rowsThisPass == 0) {
                        return false;
                    }
                    reader.close();
                    reader = source.open();
                    globalIndex = 0;
                    rowsThisPass = 0;
                    chunkRows = 0;
                    continue;
                }
                chunkRows = chunk.getRowCount();
                at = 0;
                if (chunkRows > 0) {
                    layout.addresses(chunk, chunkAt);
                }
            }
        }

        @Override
        public void close() {
            if (reader != null) {
                reader.close();
                reader = null;
            }
        }
    }

    /**
     * A table's shard in a seeded random order (a full shuffle, no buffer): a new permutation each pass.
     */
    static final class Permuted extends RowStream {
        private final ArrowTable table;
        private final BatchLayout layout;
        private final SplittableRandom random;
        private final boolean repeat;
        private final long[] chunkStarts;
        private final RowAddresses[] chunkAt;
        private final long[] order;
        private int at;

        Permuted(ArrowTable table, int rank, int shards, SplittableRandom random, boolean repeat) {
            this.table = table;
            this.layout = table.layout();
            this.random = random;
            this.repeat = repeat;
            int n = table.chunkCount();
            chunkStarts = new long[n];
            chunkAt = new RowAddresses[n];
            long start = 0;
            for (int i = 0; i < n; i++) {
                VectorSchemaRoot c = table.chunk(i);
                chunkStarts[i] = start;
                chunkAt[i] = layout.addresses(c, new RowAddresses());
                start += c.getRowCount();
            }
            long rows = table.rowCount();
            int mine = Math.toIntExact(rows / shards + (rank < rows % shards ? 1 : 0));
            order = new long[mine];
            for (int i = 0; i < mine; i++) {
                order[i] = rank + (long) i * shards;
            }
            permute();
        }

        private void permute() {
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                long t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }

        @Override
        boolean copyNext(RowAddresses dst, int dstRow) {
            if (at == order.length) {
                if (!repeat || order.length == 0) {
                    return false;
                }
                permute();
                at = 0;
            }
            long index = order[at++];
            int c = Arrays.binarySearch(chunkStarts, index);
            if (c < 0) {
                c = -c - 2;
            }
            layout.copyRow(chunkAt[c], (int) (index - chunkStarts[c]), dst, dstRow);
            return true;
        }

        @Override
        public void close() {
            // The table belongs to the dataset's caller.
        }
    }

    /**
     * A shuffle buffer over another stream, as {@code tf.data.Dataset.shuffle}: it holds up to {@code bufferRows}
     * rows; each output row is a uniformly chosen buffered row, whose slot the next input row takes.
     */
    static final class Buffered extends RowStream {
        private final RowStream input;
        private final BatchLayout layout;
        private final SplittableRandom random;
        private final VectorSchemaRoot buffer;
        private final int capacity;
        private final RowAddresses bufferAt;
        private int count;
        private boolean filled;
        private boolean inputDone;

        Buffered(RowStream input, BatchLayout layout, int bufferRows, SplittableRandom random,
                 BufferAllocator allocator) {
            this.input = input;
            this.layout = layout;
            this.random = random;
            this.capacity = bufferRows;
            this.buffer = layout.newRoot(allocator, bufferRows);
            this.bufferAt = layout.addresses(buffer, new RowAddresses());
        }

        @Override
        boolean copyNext(RowAddresses dst, int dstRow) {
            if (!filled) {
                while (count < capacity && input.copyNext(bufferAt, count)) {
                    count++;
                }
                inputDone = count < capacity;
                filled = true;
            }
            if (count == 0) {
                return false;
            }
            int j = random.nextInt(count);
            layout.copyRow(bufferAt, j, dst, dstRow);
            if (inputDone || !input.copyNext(bufferAt, j)) {
                inputDone = true;
                count--;
                if (j != count) {
                    layout.copyRow(bufferAt, count, bufferAt, j);
                }
            }
            return true;
        }

        @Override
        public void close() {
            try {
                input.close();
            } finally {
                buffer.close();
            }
        }
    }
}
