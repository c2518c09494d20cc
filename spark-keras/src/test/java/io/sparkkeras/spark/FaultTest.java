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

import java.util.List;

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
        assertTrue(message(e).contains("injected fault: rank 1"), message(e));
        assertTrue(seconds < 30, "fit took " + seconds + " s to fail");
    }

    @Test
    void silentWorkerFailsFitWithPeerTimeout() {
        Dataset<Row> train = data();
        long t0 = System.nanoTime();
        Exception e = assertThrows(Exception.class, () -> estimator().injectFault("hang", 1).fit(train));
        double seconds = (System.nanoTime() - t0) / 1e9;
        String m = message(e);
        assertTrue(m.contains("PeerTimeoutException") || m.toLowerCase().contains("timed out")
                || m.toLowerCase().contains("timeout"), m);
        assertTrue(seconds < 60, "fit took " + seconds + " s to fail");
    }

    private static String message(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t).append('\n');
        }
        return sb.toString();
    }
}
