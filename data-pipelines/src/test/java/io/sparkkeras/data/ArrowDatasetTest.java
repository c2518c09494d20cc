package io.sparkkeras.data;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.Batch;
import io.sparkkeras.utils.BatchIterator;
import io.sparkkeras.utils.NdArray;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batching, shuffling, sharding, fixed steps and prefetch over Java arrays; the allocator ends at zero. */
@Timeout(60)
class ArrowDatasetTest {
    private static final int N = 1000;
    private static final int D = 4;

    private BufferAllocator allocator;
    private ArrowTable table;

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator();
        // Row i has features (i, i + 0.25, i + 0.5, i + 0.75) and label i: each row identifies itself.
        float[] x = new float[N * D];
        int[] y = new int[N];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < D; j++) {
                x[i * D + j] = i + j * 0.25f;
            }
            y[i] = i;
        }
        table = ArrowTable.fromArrays(allocator, x, D, y, 97);
    }

    @AfterEach
    void tearDown() {
        table.close();
        assertEquals(0, allocator.getAllocatedMemory(), "Arrow memory leaked");
        allocator.close();
    }

    /** The label of every sample of one epoch, checking each row's features match its label. */
    private static List<Integer> epoch(ArrowDataset data, int epoch) {
        List<Integer> ids = new ArrayList<>();
        try (BatchIterator it = data.iterator(epoch)) {
            while (it.hasNext()) {
                try (Batch b = it.next()) {
                    NdArray x = b.inputs().get(0);
                    assertEquals(DType.FLOAT32, x.dtype());
                    assertEquals(DType.INT32, b.targets().dtype());
                    float[] f = x.toFloatArray();
                    int[] y = b.targets().toIntArray();
                    for (int r = 0; r < y.length; r++) {
                        for (int j = 0; j < D; j++) {
                            assertEquals(y[r] + j * 0.25f, f[r * D + j], "row " + y[r] + " element " + j);
                        }
                        ids.add(y[r]);
                    }
                }
            }
        }
        return ids;
    }

    @Test
    void batchesInOrderWithAShortLastBatch() {
        try (ArrowDataset data = ArrowDataset.builder(table).batchSize(128).allocator(allocator).build()) {
            assertEquals(8, data.numBatches());
            List<Integer> sizes = new ArrayList<>();
            try (BatchIterator it = data.iterator(0)) {
                while (it.hasNext()) {
                    try (Batch b = it.next()) {
                        sizes.add(b.size());
                        assertEquals(Shape.of(b.size(), D), b.inputs().get(0).shape());
                    }
                }
            }
            assertEquals(List.of(128, 128, 128, 128, 128, 128, 128, 104), sizes);
            List<Integer> ids = epoch(data, 0);
            for (int i = 0; i < N; i++) {
                assertEquals(i, ids.get(i));
            }
        }
    }

    @Test
    void dropRemainderAndFeatureShape() {
        try (ArrowDataset data = ArrowDataset.builder(table).batchSize(128).dropRemainder(true)
                .featureShape(2, 2, 1).allocator(allocator).build()) {
            assertEquals(7, data.numBatches());
            try (BatchIterator it = data.iterator(0)) {
                try (Batch b = it.next()) {
                    assertEquals(Shape.of(128, 2, 2, 1), b.inputs().get(0).shape());
                }
            }
            assertEquals(7 * 128, epoch(data, 0).size());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ArrowDataset.builder(table).featureShape(3, 3).build());
        assertTrue(e.getMessage().contains("featureShape") && e.getMessage().contains("[3, 3]"), e.getMessage());
    }

    @Test
    void shuffleIsAReproduciblePermutationPerEpoch() {
        for (int prefetch : new int[] {0, 3}) {
            try (ArrowDataset a = ArrowDataset.builder(table).batchSize(64).shuffle(true).seed(7)
                    .prefetch(prefetch).allocator(allocator).build();
                 ArrowDataset b = ArrowDataset.builder(table).batchSize(64).shuffle(true).seed(7)
                         .allocator(allocator).build()) {
                List<Integer> e0 = epoch(a, 0);
                assertEquals(e0, epoch(b, 0), "same seed and epoch, same order");
                assertNotEquals(e0, epoch(a, 1), "another epoch, another order");
                assertEquals(N, new HashSet<>(e0).size(), "every row exactly once");
                List<Integer> sorted = new ArrayList<>(e0);
                sorted.sort(null);
                assertNotEquals(sorted, e0);
            }
        }
    }

    @Test
    void shuffleBufferCoversEveryRowOnceAndIsReproducible() {
        try (ArrowDataset a = ArrowDataset.builder(table).batchSize(50).shuffle(true).seed(3)
                .shuffleBufferRows(100).allocator(allocator).build()) {
            List<Integer> e0 = epoch(a, 0);
            assertEquals(N, e0.size());
            assertEquals(N, new HashSet<>(e0).size());
            assertEquals(e0, epoch(a, 0));
            assertNotEquals(e0, epoch(a, 1));
            // A buffer of 100 rows cannot move a row earlier than 100 places before its input position.
            for (int i = 0; i < N; i++) {
                assertTrue(e0.get(i) <= i + 100, "row " + e0.get(i) + " at " + i);
            }
        }
    }

    @Test
    void shardsAreDisjointAndCoverTheData() {
        Set<Integer> all = new HashSet<>();
        for (int rank = 0; rank < 3; rank++) {
            try (ArrowDataset d = ArrowDataset.builder(table).batchSize(100).shard(rank, 3).shuffle(rank == 1)
                    .seed(5).allocator(allocator).build()) {
                List<Integer> ids = epoch(d, 0);
                assertEquals(ArrowDataset.shardRows(N, rank, 3), ids.size());
                for (int id : ids) {
                    assertEquals(rank, id % 3);
                    assertTrue(all.add(id));
                }
            }
        }
        assertEquals(N, all.size());
    }

    @Test
    void fixedStepsPerEpochRepeatOrStopTheSource() {
        // Rank 1 of 2 has 500 rows: 12 steps of 64 is 768 rows, so the source restarts; every batch is full.
        for (boolean shuffle : new boolean[] {false, true}) {
            try (ArrowDataset d = ArrowDataset.builder(table).batchSize(64).shard(1, 2).stepsPerEpoch(12)
                    .shuffle(shuffle).allocator(allocator).build()) {
                assertEquals(12, d.numBatches());
                List<Integer> ids = epoch(d, 0);
                assertEquals(12 * 64, ids.size());
                assertEquals(500, new HashSet<>(ids).size());
            }
        }
        try (ArrowDataset d = ArrowDataset.builder(table).batchSize(64).stepsPerEpoch(3).shuffleBufferRows(64)
                .shuffle(true).allocator(allocator).build()) {
            assertEquals(3 * 64, epoch(d, 2).size());
        }
    }

    @Test
    void closingAnEpochEarlyStopsThePrefetchThreadAndFreesItsBatches() {
        try (ArrowDataset d = ArrowDataset.builder(table).batchSize(10).shuffle(true).shuffleBufferRows(200)
                .prefetch(3).allocator(allocator).build()) {
            for (int epoch = 0; epoch < 20; epoch++) {
                BatchIterator it = d.iterator(epoch);
                for (int i = 0; i < epoch % 4; i++) {
                    it.next().close();
                }
                it.close();
                assertEquals(0, d.allocatedBytes(), "epoch " + epoch);
            }
            long threads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("spark-keras-prefetch")).count();
            assertEquals(0, threads);
        }
    }

    @Test
    void unclosedBatchesAndClosedIterators() {
        try (ArrowDataset d = ArrowDataset.builder(table).batchSize(10).prefetch(0).allocator(allocator).build()) {
            BatchIterator it = d.iterator(0);
            it.next();
            it.next();
            IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
            assertTrue(e.getMessage().contains("close each Batch"), e.getMessage());
            it.close();
            it.close();
            assertThrows(IllegalStateException.class, it::hasNext);
            // An iterator left open is closed with the dataset.
            BatchIterator open = d.iterator(1);
            Batch held = open.next();
            assertTrue(d.allocatedBytes() > 0);
            d.close();
            held.close();
        }
    }

    @Test
    void aStalledSourceTimesOutAndStillFreesEverything() {
        CountDownLatch release = new CountDownLatch(1);
        ArrowSource stalled = new ArrowSource() {
            @Override
            public BatchLayout layout() {
                return table.layout();
            }

            @Override
            public long rowCount() {
                return -1;
            }

            @Override
            public ArrowChunkReader open() {
                return new ArrowChunkReader() {
                    @Override
                    public VectorSchemaRoot next() {
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return null;
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
        try (ArrowDataset d = ArrowDataset.builder(stalled).batchSize(10).timeout(300, TimeUnit.MILLISECONDS)
                .allocator(allocator).build()) {
            assertEquals(-1, d.numBatches());
            BatchIterator it = d.iterator(0);
            long t0 = System.nanoTime();
            IllegalStateException e = assertThrows(IllegalStateException.class, it::hasNext);
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
            assertTrue(e.getMessage().contains("No batch arrived within 300 ms"), e.getMessage());
            release.countDown();
            it.close();
        }
    }

    @Test
    void producerErrorsReachTheConsumer() {
        ArrowSource failing = new ArrowSource() {
            @Override
            public BatchLayout layout() {
                return table.layout();
            }

            @Override
            public long rowCount() {
                return -1;
            }

            @Override
            public ArrowChunkReader open() {
                throw new IllegalArgumentException("cannot open: test");
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ArrowDataset.builder(failing).allocator(allocator).build().iterator(0));
        assertEquals("cannot open: test", e.getMessage());
    }

    @Test
    void builderRejectsBadArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ArrowDataset.builder(table).batchSize(0).build());
        assertEquals("Received an invalid value for `batchSize`, expected a positive integer. Received: batchSize=0",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ArrowDataset.builder(table).shard(2, 2).build());
        assertTrue(e.getMessage().contains("rank=2"), e.getMessage());
    }

    @Test
    void sampleWeightsTravelWithTheirRowsThroughShuffleAndIpc(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        float[] x = new float[300 * 2];
        int[] y = new int[300];
        float[] w = new float[300];
        for (int i = 0; i < 300; i++) {
            x[2 * i] = i;
            y[i] = i;
            w[i] = i * 0.25f;
        }
        java.nio.file.Path file = dir.resolve("weighted.arrow");
        try (ArrowTable t = ArrowTable.fromNdArrays(allocator, NdArray.of(x, 300, 2), NdArray.of(y),
                NdArray.of(w), 64)) {
            assertTrue(t.layout().hasSampleWeight());
            ArrowIpc.writeFile(t, file);
            try (ArrowSource fromFile = ArrowIpc.file(file, allocator)) {
                assertEquals(t.layout(), fromFile.layout());
                for (ArrowSource source : new ArrowSource[] {t, fromFile}) {
                    try (ArrowDataset d = ArrowDataset.builder(source).batchSize(32).shuffle(true).seed(9)
                            .shuffleBufferRows(source == t ? 0 : 40).allocator(allocator).build();
                         BatchIterator it = d.iterator(0)) {
                        int n = 0;
                        while (it.hasNext()) {
                            try (Batch b = it.next()) {
                                float[] fx = b.inputs().get(0).toFloatArray();
                                int[] fy = b.targets().toIntArray();
                                float[] fw = b.sampleWeights().toFloatArray();
                                for (int r = 0; r < b.size(); r++, n++) {
                                    assertEquals(fy[r], fx[2 * r]);
                                    assertEquals(fy[r] * 0.25f, fw[r]);
                                }
                            }
                        }
                        assertEquals(300, n);
                    }
                }
            }
        }
    }

    @Test
    void tablesFromKerasArraysAndFloatLabels() {
        float[][] x = {{1, 2}, {3, 4}, {5, 6}};
        try (ArrowTable t = ArrowTable.fromNdArrays(allocator, NdArray.of(x), NdArray.of(new float[] {0.5f, 1, 2}),
                2);
             ArrowDataset d = ArrowDataset.builder(t).batchSize(3).allocator(allocator).build();
             BatchIterator it = d.iterator(0);
             Batch b = it.next()) {
            assertEquals(2, t.chunkCount());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, b.inputs().get(0).toFloatArray());
            assertArrayEquals(new float[] {0.5f, 1, 2}, b.targets().toFloatArray());
            assertEquals(DType.FLOAT32, b.targets().dtype());
        }
        try (ArrowTable t = ArrowTable.fromNdArrays(allocator, NdArray.of(x), null, 8);
             ArrowDataset d = ArrowDataset.builder(t).batchSize(3).allocator(allocator).build();
             BatchIterator it = d.iterator(0);
             Batch b = it.next()) {
            assertNull(b.targets());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, b.inputs().get(0).toFloatArray());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ArrowTable.fromArrays(allocator, new float[10], 4, new int[2], 8));
        assertTrue(e.getMessage().contains("featureSize=4"), e.getMessage());
        assertEquals(Arrays.asList(0, 1, 2), Arrays.asList(0, 1, 2));
    }
}
