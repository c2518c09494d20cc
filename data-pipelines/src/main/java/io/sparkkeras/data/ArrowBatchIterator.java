package io.sparkkeras.data;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.Batch;
import io.sparkkeras.utils.BatchIterator;
import io.sparkkeras.utils.NdArray;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One epoch of an {@link ArrowDataset}. Batches are built in a pool of {@code prefetch + 2} reused roots, either on
 * the consumer's thread ({@code prefetch(0)}) or on a background producer thread feeding a bounded queue. A batch
 * returns its root to the pool when closed. Every wait is bounded by the dataset's timeout.
 *
 * <p>The consumer thread owns this iterator; the producer thread owns the row stream (and its shuffle buffer).
 */
final class ArrowBatchIterator implements BatchIterator {
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final Object END = new Object();

    private final ArrowDataset dataset;
    private final int epoch;
    private final BatchLayout layout;
    private final BufferAllocator allocator;
    private final int batchSize;
    private final long steps;
    private final long timeoutNs;
    private final long[] batchTail;
    private final List<Slot> slots = new ArrayList<>();
    private final ArrayBlockingQueue<Slot> free;
    private final ArrayBlockingQueue<Object> ready;
    private final Thread producer;
    private final RowStream syncRows;

    private volatile boolean closed;
    private boolean done;
    private Slot next;
    private long produced;
    private long consumed;

    /** A reused batch root; closing the Batch made from it returns it to the pool. */
    private final class Slot implements AutoCloseable {
        final VectorSchemaRoot root;
        final RowAddresses at;
        boolean rootClosed;

        Slot(VectorSchemaRoot root) {
            this.root = root;
            this.at = layout.addresses(root, new RowAddresses());
        }

        @Override
        public void close() {
            release(this);
        }
    }

    ArrowBatchIterator(ArrowDataset dataset, int epoch) {
        this.dataset = dataset;
        this.epoch = epoch;
        this.layout = dataset.layout();
        this.batchSize = dataset.batchSize();
        this.steps = dataset.stepsPerEpoch();
        this.timeoutNs = dataset.timeoutNs();
        int[] fs = dataset.featureShape();
        this.batchTail = new long[fs.length];
        for (int i = 0; i < fs.length; i++) {
            batchTail[i] = fs[i];
        }
        this.allocator = dataset.allocator().newChildAllocator("epoch-" + epoch, 0, Long.MAX_VALUE);
        int poolSize = dataset.prefetchBatches() + 2;
        this.free = new ArrayBlockingQueue<>(poolSize);
        this.ready = new ArrayBlockingQueue<>(Math.max(1, dataset.prefetchBatches()));
        RowStream rows = null;
        try {
            for (int i = 0; i < poolSize; i++) {
                Slot s = new Slot(layout.newRoot(allocator, batchSize));
                slots.add(s);
                free.add(s);
            }
            rows = dataset.newRowStream(epoch, allocator);
        } catch (RuntimeException e) {
            closeRoots();
            allocator.close();
            throw e;
        }
        if (dataset.prefetchBatches() == 0) {
            syncRows = rows;
            producer = null;
        } else {
            syncRows = null;
            RowStream owned = rows;
            producer = new Thread(() -> runProducer(owned),
                    "spark-keras-prefetch-r" + dataset.rank() + "-e" + epoch);
            producer.setDaemon(true);
            producer.start();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Fills the next batch from {@code rows}.
     *
     * @return the slot, or {@code null} at the end of the epoch
     */
    private Slot produce(RowStream rows) throws InterruptedException {
        if (steps > 0 && produced >= steps) {
            return null;
        }
        Slot s = takeFree();
        if (s == null) {
            return null;
        }
        int n = 0;
        while (n < batchSize && rows.copyNext(s.at, n)) {
            n++;
        }
        if (n == 0 || (n < batchSize && dataset.dropRemainder())) {
            free.add(s);
            if (steps > 0 && n == 0) {
                throw new IllegalStateException("Rank " + dataset.rank() + " of " + dataset.numShards()
                        + " has no rows in its shard, but stepsPerEpoch=" + steps + " needs " + steps + " batches of "
                        + batchSize + " (epoch " + epoch + ")");
            }
            return null;
        }
        s.root.setRowCount(n);
        produced++;
        return s;
    }

    private Slot takeFree() throws InterruptedException {
        if (producer == null) {
            Slot s = free.poll();
            if (s == null) {
                throw new IllegalStateException("All " + slots.size() + " batch buffers of epoch " + epoch
                        + " are in use: close each Batch before asking for the next one");
            }
            return s;
        }
        long deadline = System.nanoTime() + timeoutNs;
        while (!closed) {
            Slot s = free.poll(POLL_NS, TimeUnit.NANOSECONDS);
            if (s != null) {
                return s;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("No batch buffer came back within "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms (epoch " + epoch + ", step " + produced
                        + "): the consumer holds all " + slots.size() + " batches without closing them");
            }
        }
        return null;
    }

    private void runProducer(RowStream rows) {
        Object last = END;
        try {
            while (!closed) {
                Slot s = produce(rows);
                if (s == null) {
                    break;
                }
                if (!offer(s)) {
                    free.add(s);
                    break;
                }
            }
        } catch (Throwable t) {
            last = t;
        } finally {
            try {
                rows.close();
            } catch (RuntimeException e) {
                if (last instanceof Throwable t) {
                    t.addSuppressed(e);
                } else {
                    last = e;
                }
            }
            try {
                offer(last);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean offer(Object item) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNs;
        while (!closed) {
            if (ready.offer(item, POLL_NS, TimeUnit.NANOSECONDS)) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
        }
        return false;
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (done) {
            return false;
        }
        if (closed) {
            throw new IllegalStateException("The iterator of epoch " + epoch + " is closed");
        }
        try {
            if (producer == null) {
                next = produce(syncRows);
            } else {
                Object item = ready.poll(timeoutNs, TimeUnit.NANOSECONDS);
                if (item == null) {
                    throw new IllegalStateException("No batch arrived within "
                            + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms from thread " + producer.getName()
                            + " (epoch " + epoch + ", after " + consumed + " batches)");
                }
                if (item instanceof Throwable t) {
                    done = true;
                    if (t instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IllegalStateException("The prefetch thread of epoch " + epoch + " failed", t);
                }
                next = item == END ? null : (Slot) item;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for a batch of epoch " + epoch, e);
        }
        if (next == null) {
            done = true;
        }
        return next != null;
    }

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("Epoch " + epoch + " has no more batches after " + consumed);
        }
        Slot s = next;
        next = null;
        consumed++;
        int n = s.root.getRowCount();
        NdArray x = NdArray.wrap(layout.featureValues(s.root).getDataBuffer()
                .nioBuffer(0, Math.toIntExact(n * layout.featureBytes())), DType.FLOAT32, Shape.of(batchShape(n)));
        NdArray y = null;
        if (layout.hasLabel()) {
            y = NdArray.wrap(layout.labelVector(s.root).getDataBuffer().nioBuffer(0, 4 * n), layout.labelType(),
                    Shape.of(n));
        }
        NdArray w = null;
        if (layout.hasSampleWeight()) {
            w = NdArray.wrap(layout.weightVector(s.root).getDataBuffer().nioBuffer(0, 4 * n), DType.FLOAT32,
                    Shape.of(n));
        }
        return new Batch(List.of(x), y, w, s);
    }

    private long[] batchShape(int n) {
        long[] shape = new long[batchTail.length + 1];
        shape[0] = n;
        System.arraycopy(batchTail, 0, shape, 1, batchTail.length);
        return shape;
    }

    private void release(Slot s) {
        synchronized (slots) {
            if (closed) {
                return;
            }
            free.add(s);
        }
    }

    /** Stops the producer, frees every batch root (including batches not yet closed) and the allocator. */
    @Override
    public void close() {
        synchronized (slots) {
            if (closed) {
                return;
            }
            closed = true;
        }
        RuntimeException failure = null;
        if (producer != null) {
            // Unblock a producer waiting for queue space; one waiting for a free root wakes within POLL_NS.
            ready.clear();
            try {
                producer.join(TimeUnit.NANOSECONDS.toMillis(timeoutNs));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (producer.isAlive()) {
                failure = new IllegalStateException("Prefetch thread " + producer.getName() + " did not stop within "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms; its Arrow memory is not freed");
            }
        } else if (syncRows != null) {
            try {
                syncRows.close();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        if (failure != null && producer != null) {
            throw failure;
        }
        ready.clear();
        next = null;
        closeRoots();
        try {
            allocator.close();
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void closeRoots() {
        for (int i = slots.size() - 1; i >= 0; i--) {
            Slot s = slots.get(i);
            if (!s.rootClosed) {
                s.rootClosed = true;
                s.root.close();
            }
        }
    }
}
