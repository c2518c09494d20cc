package io.sparkkeras.spark;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.SGD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A worker that fails or goes silent mid-training ends fit with a clear error within the timeout, never a hang. */
@Tag("spark")
@Timeout(120)
class FaultTest {
    private static KerasEstimator estimator() {
        Sequential m = new Sequential(new Input(8), new Dense(3));
        m.compile(new SGD(0.1), SparseCategoricalCrossentropy.builder().fromLogits(true).build(), List.of());
        return new KerasEstimator().setModel(m).setNumWorkers(2).setBatchSize(32).setEpochs(3).setTimeout(5)
                .setVerbose(0);
    }

    private static Dataset<Row> data() {
        return TestSpark.frame(TestSpark.blobs(256, 8, 9), TestSpark.FLOATS, 2);
    }

    @Test
    void failingWorkerFailsFit() {
        Dataset<Row> train = data();
        long t0 = System.nanoTime();
        Exception e = assertThrows(Exception.class, () -> estimator().injectFault("throw", 1).fit(train));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(TestSpark.messages(e).contains("injected fault: rank 1"), TestSpark.messages(e));
        assertTrue(seconds < 30, "fit took " + seconds + " s to fail");
    }

    @Test
    void silentWorkerFailsFitWithPeerTimeout() {
        Dataset<Row> train = data();
        long t0 = System.nanoTime();
        Exception e = assertThrows(Exception.class, () -> estimator().injectFault("hang", 1).fit(train));
        double seconds = (System.nanoTime() - t0) / 1e9;
        String m = TestSpark.messages(e);
        assertTrue(m.contains("PeerTimeoutException") || m.toLowerCase().contains("timed out")
                || m.toLowerCase().contains("timeout"), m);
        assertTrue(seconds < 60, "fit took " + seconds + " s to fail");
    }

    @Test
    void withRetriesAFailedWorkerIsRetriedFromTheLastCheckpoint(@TempDir Path dir) {
        Dataset<Row> train = data();
        // The fault strikes at the end of epoch 2, after checkpoint 1: the retry resumes there and goes through.
        KerasModel fitted = estimator().setCheckpointDir(dir.resolve("ckpt").toString()).setMaxRetries(1)
                .injectFault("throw", 1).fit(train);
        assertEquals(1, fitted.summary().initialEpoch());
        assertEquals(List.of(1, 2), fitted.history().epoch());
        assertTrue(fitted.summary().weightsInSync());
    }

    @Test
    void badDataIsNotRetried() {
        // 4 features per row for a model that takes 8: every attempt would fail the same way.
        Dataset<Row> train = TestSpark.frame(TestSpark.blobs(256, 4, 9), TestSpark.FLOATS, 2);
        long t0 = System.nanoTime();
        Exception e = assertThrows(Exception.class, () -> estimator().setMaxRetries(3).fit(train));
        assertTrue(TestSpark.messages(e).contains("IllegalArgumentException"), TestSpark.messages(e));
        assertTrue((System.nanoTime() - t0) / 1e9 < 30, "a user error must not be retried");
    }

    @Test
    void anEmptyPartitionGetsItsShareOfTheRows() {
        // Two partitions, the second empty (as a one-file Parquet input can read): fit spreads the rows first.
        org.apache.spark.api.java.JavaRDD<Row> rows = TestSpark.jsc().parallelize(TestSpark.blobs(256, 8, 9), 2)
                .mapPartitionsWithIndex((i, it) -> i == 1 ? java.util.Collections.<Row>emptyIterator() : it, false);
        KerasModel fitted = estimator().fit(TestSpark.get().createDataFrame(rows, TestSpark.FLOATS));
        assertEquals(List.of(64L, 64L), fitted.summary().rowsPerWorker());
    }

    @Test
    void moreWorkersThanLocalTaskSlotsFailAtOnce() {
        // Spark itself would retry its barrier slot check every 15 s for 10 minutes before failing.
        long t0 = System.nanoTime();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> estimator().setNumWorkers(3).fit(data()));
        assertTrue(e.getMessage().contains("numWorkers=3, expected at most the 2 task slots of master local[2]"),
                e.getMessage());
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
        assertEquals(1, KerasEstimator.localSlots("local", 8, 1));
        assertEquals(8, KerasEstimator.localSlots("local[*]", 8, 1));
        assertEquals(3, KerasEstimator.localSlots("local[3,2]", 8, 1));
        assertEquals(4, KerasEstimator.localSlots("local[8]", 8, 2));
        assertEquals(4, KerasEstimator.localSlots("local-cluster[2, 2, 1024]", 8, 1));
        assertEquals(2, KerasEstimator.localSlots("local-cluster[2,1,2048]", 8, 1));
        assertEquals(-1, KerasEstimator.localSlots("yarn", 8, 1));
        assertEquals(-1, KerasEstimator.localSlots("spark://host:7077", 8, 1));
    }

    @Test
    void tooFewRowsForABatchPerWorkerFailsFitWithTheRowsPerWorkerAndTheFix() {
        Dataset<Row> train = TestSpark.frame(TestSpark.blobs(40, 8, 9), TestSpark.FLOATS, 2);
        Exception e = assertThrows(Exception.class, () -> estimator().fit(train));
        String m = TestSpark.messages(e);
        assertTrue(m.contains("Received a partition with 20 training rows, expected at least batchSize=32")
                && m.contains("rows per worker: [20, 20]") && m.contains("fewer workers"), m);
    }

    @Test
    void aUnionOfDataFramesTrains() {
        // Spark refuses a barrier stage over a union; fit spreads such a DataFrame over the workers first.
        Dataset<Row> a = TestSpark.frame(TestSpark.blobs(128, 8, 9), TestSpark.FLOATS, 1);
        Dataset<Row> b = TestSpark.frame(TestSpark.blobs(128, 8, 10), TestSpark.FLOATS, 1);
        KerasModel fitted = estimator().fit(a.union(b));
        assertEquals(List.of(256L), List.of(fitted.summary().rowsPerWorker().stream().mapToLong(Long::longValue)
                .sum()));
    }
}
