package io.sparkkeras.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;

/**
 * Sizes the engines' thread pools on an executor from the task's CPUs ({@code spark.task.cpus}) before the first
 * engine loads in that JVM, unless the user set them ({@code -Dai.djl.pytorch.num_threads=...} in
 * {@code spark.executor.extraJavaOptions}). libtorch and TensorFlow otherwise start one thread per core of the
 * machine in every executor JVM: with several executors on a host, or Aeron's threads beside them, the spinning
 * pools oversubscribe the cores and a step slows many times over.
 *
 * <p>On executors our own settings ({@code sparkkeras.*} system properties, the ones in {@link #SETTINGS}) also come
 * from the Spark conf as {@code spark.keras.*} ({@code --conf spark.keras.modelCache.maxModels=8}): Spark refuses any
 * {@code -Dspark...} in {@code spark.executor.extraJavaOptions}, and {@code -Dsparkkeras...} is one. The driver (and
 * local mode, whose tasks run in it) takes them as {@code -D} options: its engines load before any task.
 *
 * <pre>{@code
 * EngineThreads.fitToTask();              // first thing in a task, before Backends.use(...)
 * }</pre>
 */
final class EngineThreads {
    static final String TORCH_THREADS = "ai.djl.pytorch.num_threads";
    static final String TORCH_INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";
    static final String TF_INTRA_OP_THREADS = "sparkkeras.tensorflow.intra_op_threads";
    static final String TF_INTER_OP_THREADS = "sparkkeras.tensorflow.inter_op_threads";
    /** The torch backend's convolution path: auto, libtorch or composed (see the backend's package notes). */
    static final String TORCH_CONVOLUTION = "sparkkeras.torch.convolution";
    /** Our system properties, each also read from the Spark conf ({@link #confKey}). */
    static final String[] SETTINGS = {TF_INTRA_OP_THREADS, TF_INTER_OP_THREADS, ModelCache.MAX_MODELS_PROPERTY,
        TORCH_CONVOLUTION};

    private EngineThreads() {
    }

    /**
     * Sets each pool the user left unset to the task's CPUs (torch's inter-op pool to 1, TensorFlow's to the caller's
     * thread), in an executor's JVM only: in
     * local mode the tasks share the driver's JVM, whose engines the user configures. No effect once loaded.
     */
    static void fitToTask() {
        TaskContext tc = TaskContext.get();
        SparkEnv env = SparkEnv.get();
        if (tc == null || env == null || "driver".equals(env.executorId())) {
            return;
        }
        fromSparkConf(env.conf());
        String cpus = Integer.toString(Math.max(1, tc.cpus()));
        setIfAbsent(TORCH_THREADS, cpus);
        setIfAbsent(TORCH_INTEROP_THREADS, "1");
        setIfAbsent(TF_INTRA_OP_THREADS, cpus);
        // The tasks of an executor share its one TensorFlow session, and an inter-op pool is shared by all of them:
        // with one thread their steps queue behind each other (a 2-worker CNN step took 85-89 ms, allreduce wait 21).
        // -1 runs each task's ops on the task's own thread (49-64 ms, 3.6-4.1).
        setIfAbsent(TF_INTER_OP_THREADS, "-1");
    }

    /**
     * Sets each of our settings that {@code conf} holds as {@code spark.keras.*} (for {@code sparkkeras.X}:
     * {@code spark.keras.X}) as a system property, unless the JVM has that property already.
     */
    static void fromSparkConf(SparkConf conf) {
        for (String property : SETTINGS) {
            scala.Option<String> v = conf.getOption(confKey(property));
            if (v.isDefined()) {
                setIfAbsent(property, v.get());
            }
        }
    }

    /** The Spark conf key of one of our system properties: {@code sparkkeras.X} is {@code spark.keras.X}. */
    static String confKey(String property) {
        return "spark.keras." + property.substring("sparkkeras.".length());
    }

    private static void setIfAbsent(String key, String value) {
        synchronized (System.getProperties()) {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        }
    }
}
