package io.sparkkeras.trainers;

import io.sparkkeras.utils.Batch;
import io.sparkkeras.utils.BatchDataset;
import io.sparkkeras.utils.BatchIterator;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Batches over in-memory arrays: what {@code fit(x, y)} uses. Shuffles each epoch with a seed derived from the
 * dataset seed and the epoch, so runs repeat. Batches are gathered into buffers reused from step to step (valid
 * until the batch is closed), so an epoch allocates nothing per step.
 *
 * <pre>{@code
 * BatchDataset data = new ArrayDataset(List.of(x), List.of(y), null, 128, true, 42L);
 * }</pre>
 */
public final class ArrayDataset implements BatchDataset {
    private final List<NdArray> inputs;
    private final List<NdArray> targets;
    private final NdArray sampleWeights;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int n;

    /**
     * @param targets       may be empty (prediction)
     * @param sampleWeights {@code (n,)} or {@code null}
     * @param seed          shuffle seed, or {@code null} for one from the global seed
     */
    public ArrayDataset(List<NdArray> inputs, List<NdArray> targets, NdArray sampleWeights, int batchSize,
            boolean shuffle, Long seed) {
        this.inputs = List.copyOf(inputs);
        this.targets = List.copyOf(targets);
        this.sampleWeights = sampleWeights;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed != null ? seed : RandomSeeds.nextSeed();
        this.n = inputs.get(0).length();
    }

    public int size() {
        return n;
    }

    @Override
    public long numBatches() {
        return (n + batchSize - 1) / batchSize;
    }

    @Override
    public BatchIterator iterator(int epoch) {
        return new It(epoch);
    }

    private final class It implements BatchIterator {
        private final int[] order;
        private final List<NdArray> inBufs = new ArrayList<>();
        private final List<NdArray> tBufs = new ArrayList<>();
        private NdArray wBuf;
        private int pos;

        It(int epoch) {
            order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            if (shuffle) {
                SplittableRandom r = new SplittableRandom(seed * 31 + epoch);
                for (int i = n - 1; i > 0; i--) {
                    int j = r.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                for (NdArray a : inputs) {
                    inBufs.add(NdArray.zeros(a.dtype(), a.shape().with(0, Math.min(batchSize, n))));
                }
                for (NdArray a : targets) {
                    tBufs.add(NdArray.zeros(a.dtype(), a.shape().with(0, Math.min(batchSize, n))));
                }
                if (sampleWeights != null) {
                    wBuf = NdArray.zeros(sampleWeights.dtype(), sampleWeights.shape().with(0, Math.min(batchSize, n)));
                }
            }
        }

        @Override
        public boolean hasNext() {
            return pos < n;
        }

        @Override
        public Batch next() {
            if (pos >= n) {
                throw new NoSuchElementException("The epoch has no more batches");
            }
            int end = Math.min(n, pos + batchSize);
            List<NdArray> xs = new ArrayList<>(inputs.size());
            List<NdArray> ys = new ArrayList<>(targets.size());
            NdArray w;
            if (shuffle) {
                for (int i = 0; i < inputs.size(); i++) {
                    xs.add(inputs.get(i).gatherRows(order, pos, end, inBufs.get(i)));
                }
                for (int i = 0; i < targets.size(); i++) {
                    ys.add(targets.get(i).gatherRows(order, pos, end, tBufs.get(i)));
                }
                w = sampleWeights == null ? null : sampleWeights.gatherRows(order, pos, end, wBuf);
            } else {
                for (NdArray a : inputs) {
                    xs.add(a.rows(pos, end));
                }
                for (NdArray a : targets) {
                    ys.add(a.rows(pos, end));
                }
                w = sampleWeights == null ? null : sampleWeights.rows(pos, end);
            }
            pos = end;
            return Batch.of(xs, ys, w, null);
        }

        @Override
        public void close() {
            pos = n;
        }
    }
}
