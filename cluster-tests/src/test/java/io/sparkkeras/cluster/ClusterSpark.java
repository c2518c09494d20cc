package io.sparkkeras.cluster;

import org.apache.spark.sql.SparkSession;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real multi-JVM Spark cluster from the Maven test classpath: {@code local-cluster[2,1,2048]} runs a standalone
 * master and two workers inside this JVM, and each worker launches one executor JVM (1 core, 2 GB heap), so a
 * 2-worker {@code KerasEstimator} puts one rank in each executor process.
 *
 * <p>What it takes, each learned the hard way:
 * <ul>
 * <li>{@code spark.executor.extraClassPath}: this JVM's classpath with absolute entries (relative ones resolve
 *     against the executor's work folder and fail with {@code ClassCastException ... SerializedLambda}).</li>
 * <li>{@code SPARK_TESTING=1} and {@code SPARK_SCALA_VERSION=2.13} in the executors' environment: the worker builds
 *     the executor command with Spark's launcher, which otherwise insists on a distribution's {@code jars/}
 *     folder under {@code SPARK_HOME}.</li>
 * <li>{@code SPARK_HOME} (set by Surefire to {@code target/spark-home}): only where the workers put their
 *     {@code work/} folders (executor logs); it needs no content. Without it they use {@code ./work}.</li>
 * <li>{@code spark.scheduler.minRegisteredResourcesRatio=1.0}: the session is returned only once both executors
 *     have registered, so a barrier stage finds its 2 slots; with {@code spark.cores.max=2}, as standalone counts
 *     the ratio against it (unset, it expects 0 cores and does not wait at all).</li>
 * <li>the executors' JVM options (Surefire's {@code cluster.executor.java.options}): the add-opens/add-exports of
 *     Arrow and Aeron, offline natives and one torch thread per executor.</li>
 * </ul>
 */
final class ClusterSpark {
    /** Two workers, one core and 2048 MB each. */
    static final String MASTER = "local-cluster[2,1,2048]";

    private ClusterSpark() {
    }

    /** Starts the cluster and a session on it; {@code extra} settings win over the defaults. Up in 5-15 s. */
    static SparkSession start(String appName, Map<String, String> extra) {
        SparkSession.Builder b = SparkSession.builder()
                .master(MASTER)
                .appName(appName)
                .config("spark.executor.extraClassPath", absoluteClasspath())
                .config("spark.executorEnv.SPARK_TESTING", "1")
                .config("spark.executorEnv.SPARK_SCALA_VERSION", "2.13")
                .config("spark.executor.extraJavaOptions", System.getProperty("cluster.executor.java.options", ""))
                .config("spark.executor.memory", "2g")
                // The ratio counts against spark.cores.max: without it standalone expects 0 cores and never waits.
                .config("spark.cores.max", "2")
                .config("spark.scheduler.minRegisteredResourcesRatio", "1.0")
                .config("spark.scheduler.maxRegisteredResourcesWaitingTime", "60s")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.adaptive.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                // A barrier stage submitted while an executor is (re)starting waits for its slots up to ~60 s.
                .config("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "2s")
                .config("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "30");
        String tunables = System.getenv("GLIBC_TUNABLES");
        if (tunables != null) {
            // As a user's spark-submit sets it (README): glibc keeps the executors' freed native memory for reuse.
            b.config("spark.executorEnv.GLIBC_TUNABLES", tunables);
        }
        extra.forEach(b::config);
        SparkSession spark = b.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        // The scheduler counts an executor once it registers; its block manager (which the executor list shows)
        // follows a moment later.
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int executors = spark.sparkContext().getExecutorMemoryStatus().size() - 1;
        while (executors < 2 && System.nanoTime() < deadlineNs) {
            sleep(100);
            executors = spark.sparkContext().getExecutorMemoryStatus().size() - 1;
        }
        if (executors != 2) {
            spark.stop();
            throw new IllegalStateException("Expected 2 executors of " + MASTER + " to register within 60 s, "
                    + executors + " did; their logs are under " + System.getenv("SPARK_HOME") + "/work");
        }
        return spark;
    }

    /**
     * The executor JVMs this JVM's workers launched: child processes whose command runs the executor backend. Read
     * from {@code /proc/PID/cmdline}, as {@code ProcessHandle.Info} gives no arguments for a command line as long as
     * an executor's (its classpath alone is tens of kilobytes).
     */
    static List<ProcessHandle> executorProcesses() {
        return ProcessHandle.current().children()
                .filter(p -> commandLine(p).contains("org.apache.spark.executor.CoarseGrainedExecutorBackend"))
                .collect(Collectors.toList());
    }

    private static String commandLine(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";   // gone already
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the executors", e);
        }
    }

    private static String absoluteClasspath() {
        List<String> entries = new ArrayList<>();
        // Surefire runs tests from a manifest-only jar; the real classpath is in its own property.
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String e : classpath.split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                entries.add(new File(e).getAbsolutePath());
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
