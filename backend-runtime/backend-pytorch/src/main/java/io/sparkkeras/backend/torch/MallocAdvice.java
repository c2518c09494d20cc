package io.sparkkeras.backend.torch;

import java.util.Locale;
import java.util.Map;

/**
 * One line of advice per JVM, logged when the first torch backend starts on Linux with glibc's malloc at its default
 * thresholds: libtorch frees its large tensors at the end of each step and allocates them again in the next, and
 * glibc hands such blocks back to the kernel (unmapped, or trimmed off the heap), so every step faults the same
 * memory in again, zeroed page by page. Measured on the reference CNN: 5-7k page faults per step and a fifth of its
 * CPU time (root README, "Native memory"). {@code top_pad} of 64 MiB keeps a thread's own arena from unmapping a
 * 64 MiB sub-heap that a step empties (the trim threshold does not cover that), which the next step would fault in
 * again. The environment of a running JVM cannot be changed, so this only says
 * how to start it; {@code bin/} scripts, the tests and the cluster tests already do.
 */
final class MallocAdvice {
    /** What the JVM's environment should hold; the same value as the root pom's {@code native.malloc.tunables}. */
    static final String TUNABLES =
            "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824:glibc.malloc.top_pad=67108864";
    private static final System.Logger LOG = System.getLogger(MallocAdvice.class.getName());
    private static volatile boolean given;

    private MallocAdvice() {
    }

    /** Logs the advice at INFO the first time it applies in this JVM. */
    static void logOnce() {
        if (given) {
            return;
        }
        given = true;
        String advice = advice(System.getenv(), System.getProperty("os.name", ""));
        if (advice != null) {
            LOG.log(System.Logger.Level.INFO, advice);
        }
    }

    /** The advice for this environment and OS, or null when malloc is already tuned or not glibc's. */
    static String advice(Map<String, String> env, String osName) {
        if (!osName.toLowerCase(Locale.ROOT).contains("linux")) {
            return null;
        }
        String tunables = env.getOrDefault("GLIBC_TUNABLES", "");
        if (tunables.contains("glibc.malloc.") || env.containsKey("MALLOC_TRIM_THRESHOLD_")
                || env.containsKey("MALLOC_MMAP_THRESHOLD_")) {
            return null;   // the user chose their own settings
        }
        return "libtorch reallocates its large tensors every step, and with glibc's default malloc thresholds each "
                + "step faults that memory in again (a fifth of the reference CNN's time). For faster training start "
                + "this JVM with GLIBC_TUNABLES=" + TUNABLES + " in its environment (on Spark executors: --conf "
                + "spark.executorEnv.GLIBC_TUNABLES=" + TUNABLES + ").";
    }
}
