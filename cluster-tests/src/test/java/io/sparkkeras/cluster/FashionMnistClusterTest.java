package io.sparkkeras.cluster;

import io.sparkkeras.examples.ReferenceModels;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.spark.KerasEstimator;
import io.sparkkeras.spark.KerasModel;
import io.sparkkeras.spark.KerasTrainingSummary;
import io.sparkkeras.utils.RandomSeeds;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference models of DESIGN.md §7 trained by {@code KerasEstimator} with one rank in each of two executor JVMs,
 * from Parquet, and scored on the 10,000 test images by {@code KerasModel.transform} on the same cluster.
 *
 * <p>In CI: the MLP, 2 epochs, and the CNN, 1 epoch, on the 60,000 training images. With
 * {@code -Dcluster.full=true} also the full runs of the design brief: 10 epochs on all 60,000 images, MLP >= 0.88 and CNN >= 0.90 (the CNN takes ~4-8 min on
 * 2 cores). Global batch 128 (64 per worker), Adam 1e-3, seed 42 ({@code -Dcluster.seed=S} to vary it), as
 * {@code bin/fashion-mnist}.
 */
@Tag("cluster")
class FashionMnistClusterTest {
    private static SparkSession spark;

    @BeforeAll
    static void startCluster() {
        spark = ClusterSpark.start("fashion-mnist-cluster-test", Map.of());
    }

    @AfterAll
    static void stopCluster() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    @Timeout(300)
    void mlpOnTwoExecutorJvmsLearnsFashionMnist() throws Exception {
        double accuracy = trainAndScore("mlp", ReferenceModels::mlp, 60_000, 2);
        // 0.8623 measured here (2 epochs; the 10-epoch bar is 0.88, see mlpReachesTheDesignBar).
        assertTrue(accuracy >= 0.85, "test accuracy " + accuracy);
    }

    @Test
    @Timeout(600)
    void cnnOnTwoExecutorJvmsLearnsFashionMnist() throws Exception {
        double accuracy = trainAndScore("cnn", ReferenceModels::cnn, 60_000, 1);
        // 0.8343 measured here (1 epoch; the 10-epoch bar is 0.90, see cnnReachesTheDesignBar).
        assertTrue(accuracy >= 0.80, "test accuracy " + accuracy);
    }

    @Test
    @Timeout(300)
    @Tag("tensorflow")
    void mlpOnTwoExecutorJvmsTrainsOnTensorflow() throws Exception {
        // The backend is config, not code: the same estimator with backend=tensorflow. Each executor JVM loads
        // TensorFlow from the classpath, sizes its threads (EngineThreads) and traces the steps of its one rank.
        double accuracy = trainAndScore("mlp", ReferenceModels::mlp, 12_000, 1, "tensorflow");
        // 0.7691 with 6,000 rows through spark-submit (session 9); 12,000 rows here.
        assertTrue(accuracy >= 0.75, "test accuracy " + accuracy);
    }

    @Test
    @Timeout(1800)
    @Tag("cluster-full")
    void mlpReachesTheDesignBar() throws Exception {
        double accuracy = trainAndScore("mlp", ReferenceModels::mlp, 60_000, 10);
        assertTrue(accuracy >= 0.88, "test accuracy " + accuracy);
    }

    @Test
    @Timeout(3600)
    @Tag("cluster-full")
    void cnnReachesTheDesignBar() throws Exception {
        double accuracy = trainAndScore("cnn", ReferenceModels::cnn, 60_000, 10);
        assertTrue(accuracy >= 0.90, "test accuracy " + accuracy);
    }

    private static double trainAndScore(String name, Supplier<Sequential> reference, int trainRows, int epochs)
            throws Exception {
        return trainAndScore(name, reference, trainRows, epochs, "torch");
    }

    private static double trainAndScore(String name, Supplier<Sequential> reference, int trainRows, int epochs,
            String backend) throws Exception {
        Path data = ClusterData.fashionMnist(trainRows);
        // One Parquet file of one row group reads as 2 partitions, one of them empty; KerasEstimator keeps a
        // DataFrame that already has numWorkers partitions as it is, so spread the rows evenly first.
        Dataset<Row> train = spark.read().parquet(data.resolve("train").toString()).repartition(2);
        Dataset<Row> test = spark.read().parquet(data.resolve("test").toString());

        long seed = Long.getLong("cluster.seed", 42);   // -Dcluster.seed=S for the spread over seeds
        RandomSeeds.setRandomSeed(seed);
        Sequential model = reference.get();
        // Rank 0 runs in an executor JVM: its epoch lines must still reach this (the driver's) console.
        java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = System.out;
        KerasModel fitted;
        System.setOut(new java.io.PrintStream(new TeeStream(out, console), true, "UTF-8"));
        try {
            fitted = new KerasEstimator()
                    .setModel(model)
                    .setFeaturesCol("features")   // array<float> of 784 pixels; the CNN's (28, 28, 1) input takes them
                    .setLabelCol("label")
                    .setNumWorkers(2).setBatchSize(64).setEpochs(epochs).setSeed(seed)
                    .setBackend(backend)
                    .fit(train);
        } finally {
            System.setOut(out);
        }
        model.close();
        String shown = console.toString(java.nio.charset.StandardCharsets.UTF_8);
        for (int e = 1; e <= epochs; e++) {
            assertTrue(shown.contains("Epoch " + e + "/" + epochs + " - 2 workers x "),
                    "the driver's console shows epoch " + e + ": " + shown);
        }

        KerasTrainingSummary s = fitted.summary();
        assertEquals(2, s.numWorkers());
        assertEquals(2, s.weightsChecksums().size(), s.toString());
        assertTrue(s.weightsInSync(), "every rank ends with the same weights: " + s.weightsChecksums());
        assertEquals(trainRows, s.rowsPerWorker().stream().mapToLong(Long::longValue).sum());
        assertEquals(epochs, s.history().history().get("loss").size());

        long t0 = System.nanoTime();
        Dataset<Row> scored = fitted.transform(test).select("label", "prediction").cache();
        long rows = scored.count();
        double accuracy = scored.filter("prediction = label").count() / (double) rows;
        double transformSeconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(10_000, rows);
        assertEquals(backend, fitted.getBackend());
        System.out.printf(Locale.ROOT, "CLUSTER %s backend=%s epochs=%d train_rows=%d seed=%d test_accuracy=%.4f "
                        + "train_s=%.1f step_ms=%.2f allreduce_ms_per_step=%.3f allreduce_ms_per_step_by_worker=%s "
                        + "transform_s=%.1f%n",
                name, backend, epochs, trainRows, seed, accuracy, s.trainSeconds(), s.stepMs(),
                s.allreduceMsPerStep(), s.allreduceMsPerStepByWorker().stream()
                        .map(ms -> String.format(Locale.ROOT, "%.2f", ms)).collect(Collectors.joining("/")),
                transformSeconds);
        return accuracy;
    }

    /** Writes to two streams: the console stays visible while the test reads what was printed. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            a.flush();
            b.flush();
        }
    }
}
