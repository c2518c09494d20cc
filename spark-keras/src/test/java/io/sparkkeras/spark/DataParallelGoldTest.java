package io.sparkkeras.spark;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.Model;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.SGD;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gold test of data parallelism (issue 7): 2 workers with per-worker batch B/2 take the same steps as 1 worker
 * with batch B, so after one epoch (same seed, SGD, no dropout, no shuffle) their weights agree within float
 * tolerance, and every rank holds identical weights.
 */
@Tag("spark")
@Timeout(180)
class DataParallelGoldTest {
    private static final int N = 256;
    private static final int D = 8;
    private static final int B = 32;

    private static Sequential model() {
        RandomSeeds.setRandomSeed(7);
        Sequential m = new Sequential(new Input(D), new Dense(16, "relu"), new Dense(3));
        m.compile(new SGD(0.1), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                List.of("accuracy"));
        return m;
    }

    @Test
    void twoWorkersWithHalfBatchesMatchOneWorker() {
        List<Row> rows = TestSpark.blobs(N, D, 11);
        // Two partitions: rows [0, N/2) and [N/2, N). Step k of worker r takes rows k*B/2.. of its partition, so
        // one worker sees, at step k, both halves' k-th slices.
        Dataset<Row> two = TestSpark.frame(rows, TestSpark.FLOATS, 2);
        List<Row> interleaved = new ArrayList<>();
        int half = B / 2;
        for (int k = 0; k < N / B; k++) {
            interleaved.addAll(rows.subList(k * half, (k + 1) * half));
            interleaved.addAll(rows.subList(N / 2 + k * half, N / 2 + (k + 1) * half));
        }
        Dataset<Row> one = TestSpark.frame(interleaved, TestSpark.FLOATS, 1);

        Sequential initial = model();
        KerasModel single = new KerasEstimator().setModel(initial).setNumWorkers(1).setBatchSize(B).setEpochs(1)
                .setShuffle(false).setVerbose(0).fit(one);
        KerasModel parallel = new KerasEstimator().setModel(initial).setNumWorkers(2).setBatchSize(half)
                .setEpochs(1).setShuffle(false).setVerbose(0).fit(two);

        assertEquals(N / B, single.summary().stepsRun());
        assertEquals(N / B, parallel.summary().stepsRun());
        assertEquals(2, parallel.summary().numWorkers());
        assertTrue(parallel.summary().weightsInSync(), parallel.summary().toString());

        try (Model a = single.getModel(); Model b = parallel.getModel()) {
            List<NdArray> wa = a.getWeights();
            List<NdArray> wb = b.getWeights();
            List<NdArray> w0 = initial.getWeights();
            assertEquals(wa.size(), wb.size());
            double maxDiff = 0;
            double moved = 0;
            for (int i = 0; i < wa.size(); i++) {
                float[] x = wa.get(i).toFloatArray();
                float[] y = wb.get(i).toFloatArray();
                float[] z = w0.get(i).toFloatArray();
                for (int j = 0; j < x.length; j++) {
                    maxDiff = Math.max(maxDiff, Math.abs(x[j] - y[j]));
                    moved = Math.max(moved, Math.abs(x[j] - z[j]));
                }
            }
            assertTrue(moved > 1e-2, "training moved the weights by at most " + moved);
            assertTrue(maxDiff < 1e-5, "1 worker x batch " + B + " and 2 workers x batch " + half
                    + " differ by up to " + maxDiff);
        }
        // Metrics are averaged over workers: the loss of both runs is close (same model, same data).
        double l1 = single.history().last("loss");
        double l2 = parallel.history().last("loss");
        assertEquals(l1, l2, 1e-3);
        initial.close();
    }
}
