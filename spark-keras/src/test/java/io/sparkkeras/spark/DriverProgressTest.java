package io.sparkkeras.spark;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rank 0's epoch lines reach the driver when rank 0 runs on an executor: through an accumulator that heartbeats and
 * task ends carry to a driver listener. Local mode runs rank 0 in the driver's JVM, so the test forces that path.
 */
@Tag("spark")
@Timeout(120)
class DriverProgressTest {
    @Test
    void epochLinesFromRankZeroReachTheDriverInOrder() {
        Sequential m = new Sequential(new Input(8), new Dense(3));
        m.compile(new Adam(1e-2), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                List.of("accuracy"));
        Dataset<Row> train = TestSpark.frame(TestSpark.blobs(256, 8, 5), TestSpark.FLOATS, 2);
        List<String> shown = new CopyOnWriteArrayList<>();
        new KerasEstimator().setModel(m).setNumWorkers(2).setBatchSize(32).setEpochs(3).setVerbose(1)
                .progressTo(shown::add).fit(train);
        assertEquals(3, shown.size(), "lines shown on the driver: " + shown);
        for (int e = 0; e < 3; e++) {
            String line = shown.get(e);
            assertTrue(line.startsWith("Epoch " + (e + 1) + "/3 - 2 workers x 4 steps"), line);
            assertTrue(line.contains(" - loss: ") && line.contains(" - accuracy: ") && line.contains("allreduce"),
                    line);
            // Each worker's wait, so a straggler shows: the others wait for it.
            assertTrue(line.matches(".* - allreduce \\d+\\.\\d{2} ms/step \\(per worker: \\d+\\.\\d{2}, \\d+\\.\\d{2}\\)"),
                    line);
        }
        KerasModel fitted = new KerasEstimator().setModel(m).setNumWorkers(2).setBatchSize(32).setEpochs(1)
                .setVerbose(0).fit(train);
        List<Double> waits = fitted.summary().allreduceMsPerStepByWorker();
        assertEquals(2, waits.size());
        assertEquals((waits.get(0) + waits.get(1)) / 2, fitted.summary().allreduceMsPerStep(), 1e-9);
    }

    @Test
    void unevenPartitionsAreSpreadOverTheWorkers() {
        // Two partitions of 64 and 128 rows: as they are, 64 rows of the second would sit out every epoch.
        Dataset<Row> train = TestSpark.get().createDataFrame(TestSpark.jsc().parallelize(TestSpark.blobs(256, 8, 5), 2)
                .mapPartitionsWithIndex((i, it) -> {
                    List<Row> kept = new java.util.ArrayList<>();
                    it.forEachRemaining(kept::add);
                    return (i == 0 ? kept.subList(0, 64) : kept).iterator();
                }, false), TestSpark.FLOATS);
        List<String> shown = new CopyOnWriteArrayList<>();
        KerasModel fitted = estimator().progressTo(shown::add).fit(train);
        assertEquals(List.of(96L, 96L), fitted.summary().rowsPerWorker());
        assertEquals(1, shown.size(), "lines shown on the driver: " + shown);
        assertTrue(shown.get(0).startsWith("Epoch 1/1 - 2 workers x 3 steps"), shown.get(0));
    }

    /** Reads of partition 0 so far: the first (fit's count) sees 128 rows, later ones 64. */
    private static final AtomicInteger FIRST_PARTITION_READS = new AtomicInteger();

    @Test
    void partitionsThatChangeAfterFitCountedThemAreReportedWithTheRowsThatSitOut() {
        FIRST_PARTITION_READS.set(0);
        Dataset<Row> train = TestSpark.get().createDataFrame(TestSpark.jsc().parallelize(TestSpark.blobs(256, 8, 5), 2)
                .mapPartitionsWithIndex((i, it) -> {
                    List<Row> kept = new java.util.ArrayList<>();
                    it.forEachRemaining(kept::add);
                    boolean shrink = i == 0 && FIRST_PARTITION_READS.getAndIncrement() > 0;
                    return (shrink ? kept.subList(0, 64) : kept).iterator();
                }, false), TestSpark.FLOATS);
        List<String> shown = new CopyOnWriteArrayList<>();
        estimator().progressTo(shown::add).fit(train);
        assertEquals(2, shown.size(), "lines shown on the driver: " + shown);
        assertEquals("Warning: rows per worker [64, 128]: every worker trains on 2 steps x 32 = 64 rows per epoch, "
                + "so up to 64 rows of a worker (50%) sit out each epoch (a different random subset each epoch when "
                + "shuffling). The partitions changed after fit counted them (a non-deterministic source?): cache "
                + "the DataFrame, or df.repartition(numWorkers) it, first.", shown.get(0));
        assertTrue(shown.get(1).startsWith("Epoch 1/1 - 2 workers x 2 steps"), shown.get(1));
    }

    private static KerasEstimator estimator() {
        Sequential m = new Sequential(new Input(8), new Dense(3));
        m.compile(new Adam(1e-2), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                List.of("accuracy"));
        return new KerasEstimator().setModel(m).setNumWorkers(2).setBatchSize(32).setEpochs(1).setVerbose(1);
    }
}
