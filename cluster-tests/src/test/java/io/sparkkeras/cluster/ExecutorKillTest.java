package io.sparkkeras.cluster;

import io.sparkkeras.examples.ReferenceModels;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.spark.KerasEstimator;
import io.sparkkeras.spark.KerasModel;
import io.sparkkeras.spark.KerasTrainingSummary;
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
 * never a hang; and with {@code maxRetries} the same {@code fit} resumes after the last checkpoint, on the executor
 * the master started in place of the dead one.
 *
 * <p>Spark itself never reruns a failed barrier stage whose tasks return results (a {@code ResultStage}: "Could
 * not recover from a failed barrier ResultStage"), whatever {@code spark.stage.maxConsecutiveAttempts} says, and
 * {@code KerasEstimator.fit}'s training stage is one: {@code maxRetries} is {@code fit}'s own rerun.
 */
@Tag("cluster")
class ExecutorKillTest {
    private static SparkSession spark;

    @BeforeAll
    static void startCluster() {
        spark = ClusterSpark.start("executor-kill-test", Map.of());
    }

    @AfterAll
    static void stopCluster() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Dataset<Row> train() throws Exception {
        return spark.read().parquet(ClusterData.fashionMnist(60_000).resolve("train").toString()).repartition(2);
    }

    private static KerasEstimator estimator(Sequential model, int epochs, Path checkpoints) {
        // The kill is seen as ExecutorLostFailure within a second; the peer timeout only has to outlast the skew
        // between a warm executor and its cold replacement (engine loading, JIT) on a loaded machine.
        return new KerasEstimator().setModel(model).setNumWorkers(2).setBatchSize(64)
                .setEpochs(epochs).setTimeout(30).setVerbose(0)
                .setCheckpointDir(checkpoints.toUri().toString());  // epoch-0001.keras marks "training under way"
    }

    @Test
    @Timeout(240)
    void killingAnExecutorMidTrainingFailsFitWithinAMinute(@TempDir Path checkpoints) throws Exception {
        Dataset<Row> train = train();
        ExecutorService driver = Executors.newSingleThreadExecutor();
        try (Sequential mlp = ReferenceModels.mlp()) {
            KerasEstimator estimator = estimator(mlp, 20, checkpoints);
            Future<KerasModel> fit = driver.submit(() -> estimator.fit(train));
            waitForFirstCheckpoint(checkpoints, fit);
            long killedAt = System.nanoTime();
            long pid = killOneExecutor();

            ExecutionException e = assertThrows(ExecutionException.class, () -> fit.get(90, TimeUnit.SECONDS));
            double seconds = (System.nanoTime() - killedAt) / 1e9;
            String message = causes(e);
            System.out.printf("CLUSTER executor kill: fit failed %.1f s after the kill of pid %d:%n%s%n", seconds,
                    pid, message);
            assertTrue(seconds < 60, "fit took " + seconds + " s to fail after the kill");
            assertTrue(message.contains("ExecutorLostFailure") || message.contains("PeerTimeoutException"),
                    "the error says a worker was lost: " + message);
        } finally {
            driver.shutdownNow();
        }
    }

    @Test
    @Timeout(300)
    void withRetriesFitResumesFromTheLastCheckpointAfterTheKill(@TempDir Path checkpoints) throws Exception {
        Dataset<Row> train = train();
        int epochs = 4;
        ExecutorService driver = Executors.newSingleThreadExecutor();
        try (Sequential mlp = ReferenceModels.mlp()) {
            // maxRetries: fit reruns the failed stage itself, on the executor the master starts in place of the dead
            // one (the barrier stage waits for its slot), from the last checkpoint.
            KerasEstimator estimator = estimator(mlp, epochs, checkpoints).setMaxRetries(1);
            Future<KerasModel> fit = driver.submit(() -> estimator.fit(train));
            waitForFirstCheckpoint(checkpoints, fit);
            long killedAt = System.nanoTime();
            killOneExecutor();

            KerasModel fitted = fit.get(240, TimeUnit.SECONDS);
            KerasTrainingSummary s = fitted.summary();
            System.out.printf("CLUSTER executor kill with maxRetries=1: done %.1f s after the kill, resumed after "
                    + "epoch %d: %s%n", (System.nanoTime() - killedAt) / 1e9, s.initialEpoch(), s);
            assertTrue(s.initialEpoch() >= 1, "the retry starts after the last checkpoint: " + s);
            assertEquals(epochs - s.initialEpoch(), s.history().history().get("loss").size(), s.toString());
            assertTrue(s.weightsInSync(), s.toString());
        } finally {
            driver.shutdownNow();
        }
    }

    /** SIGKILLs the second of the two executor JVMs and returns its pid. */
    private static long killOneExecutor() {
        List<ProcessHandle> executors = ClusterSpark.executorProcesses();
        assertEquals(2, executors.size(), "executor JVMs: " + executors);
        ProcessHandle victim = executors.get(1);
        assertTrue(victim.destroyForcibly(), "SIGKILL to executor pid " + victim.pid());
        return victim.pid();
    }

    /** Waits (up to 120 s) until rank 0 has written its first epoch's checkpoint, failing early if fit ended. */
    static void waitForFirstCheckpoint(Path dir, Future<KerasModel> fit) throws Exception {
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
