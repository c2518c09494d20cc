package io.sparkkeras.cluster;

import io.sparkkeras.examples.ReferenceModels;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.spark.KerasEstimator;
import io.sparkkeras.spark.KerasModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Killing one executor JVM (SIGKILL) in the middle of training ends {@code fit} with a clear error within 60 s,
 * never a hang. The cluster allows no retry ({@code spark.stage.maxConsecutiveAttempts=1}), so the lost barrier
 * task fails the job instead of restarting the stage.
 */
@Tag("cluster")
class ExecutorKillTest {
    private static SparkSession spark;

    @BeforeAll
    static void startCluster() {
        spark = ClusterSpark.start("executor-kill-test", Map.of(
                "spark.stage.maxConsecutiveAttempts", "1",
                "spark.task.maxFailures", "1"));
    }

    @AfterAll
    static void stopCluster() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    @Timeout(240)
    void killingAnExecutorMidTrainingFailsFitWithinAMinute(@TempDir Path checkpoints) throws Exception {
        Dataset<Row> train = spark.read().parquet(ClusterData.fashionMnist(60_000).resolve("train").toString())
                .repartition(2);
        Sequential mlp = ReferenceModels.mlp();
        KerasEstimator estimator = new KerasEstimator().setModel(mlp).setNumWorkers(2).setBatchSize(64)
                .setEpochs(20).setTimeout(10).setVerbose(0)
                .setCheckpointDir(checkpoints.toUri().toString());  // epoch-0001.keras marks "training under way"

        ExecutorService driver = Executors.newSingleThreadExecutor();
        try {
            Future<KerasModel> fit = driver.submit(() -> estimator.fit(train));
            waitForFirstCheckpoint(checkpoints, fit);

            List<ProcessHandle> executors = ClusterSpark.executorProcesses();
            assertEquals(2, executors.size(), "executor JVMs: " + executors);
            ProcessHandle victim = executors.get(1);
            long killedAt = System.nanoTime();
            assertTrue(victim.destroyForcibly(), "SIGKILL to executor pid " + victim.pid());

            ExecutionException e = assertThrows(ExecutionException.class, () -> fit.get(90, TimeUnit.SECONDS));
            double seconds = (System.nanoTime() - killedAt) / 1e9;
            String message = causes(e);
            System.out.printf("CLUSTER executor kill: fit failed %.1f s after the kill of pid %d:%n%s%n", seconds,
                    victim.pid(), message);
            assertTrue(seconds < 60, "fit took " + seconds + " s to fail after the kill");
            assertTrue(message.contains("ExecutorLostFailure") || message.contains("PeerTimeoutException"),
                    "the error says a worker was lost: " + message);
        } finally {
            driver.shutdownNow();
            mlp.close();
        }
    }

    /** Waits (up to 120 s) until rank 0 has written its first epoch's checkpoint, failing early if fit ended. */
    private static void waitForFirstCheckpoint(Path dir, Future<KerasModel> fit) throws Exception {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadlineNs) {
            if (fit.isDone()) {
                fit.get();
                throw new AssertionError("fit ended before its first checkpoint");
            }
            try (Stream<Path> files = Files.list(dir)) {
                if (files.anyMatch(p -> p.getFileName().toString().matches("epoch-\\d+\\.keras"))) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no checkpoint in " + dir + " after 120 s");
    }

    private static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t).append('\n');
        }
        return sb.toString();
    }
}
