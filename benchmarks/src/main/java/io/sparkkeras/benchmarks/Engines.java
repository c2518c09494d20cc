package io.sparkkeras.benchmarks;

/**
 * Engine settings shared by the bench mains, set before any engine loads: natives offline, and the thread pools
 * sized so every path of a comparison runs on the same threads.
 *
 * <pre>{@code
 * Engines.offlineWithThreads(2);   // first thing in main
 * }</pre>
 */
final class Engines {
    private Engines() {
    }

    /** libtorch with {@code threads} intra-op threads (1 inter-op); TensorFlow with {@code threads} in each pool. */
    static void offlineWithThreads(int threads) {
        String t = Integer.toString(threads);
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", t);
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("sparkkeras.tensorflow.intra_op_threads", t);
        System.setProperty("sparkkeras.tensorflow.inter_op_threads", t);
    }
}
