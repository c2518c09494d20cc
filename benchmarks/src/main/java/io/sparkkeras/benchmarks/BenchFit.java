package io.sparkkeras.benchmarks;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.datasets.FashionMnist;
import io.sparkkeras.examples.ReferenceModels;
import io.sparkkeras.models.FitOptions;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;

import java.util.List;
import java.util.Locale;

/**
 * Training throughput of the reference models, one epoch each: (a) our {@code fit}, (b) a hand-written loop of
 * the same model on the same engine (DJL for {@code --backend torch}, TensorFlow Java for {@code --backend
 * tensorflow}), both in this JVM on the same threads. {@code bin/bench-fit} adds (c) plain PyTorch and prints the
 * ratios. Prints {@code RESULT path=keras|djl|tf model=mlp|cnn metrics=accuracy|none samples_per_sec=...} lines
 * ({@code path=keras-tf} for our fit on tensorflow).
 *
 * <p>Each comparison does the same work on both sides. {@code metrics=accuracy}: the reference model as compiled
 * (loss and {@code "accuracy"}, which {@code fit} keeps every step), against the loop keeping its running loss and
 * count of right predictions; {@code metrics=none}: the model compiled with its loss alone, against the bare loop.
 *
 * <pre>
 * java ... io.sparkkeras.benchmarks.BenchFit --models mlp,cnn --threads 2 --backend torch|tensorflow|both --repeats 2
 *     --metrics accuracy|none|both
 * </pre>
 */
public final class BenchFit {
    /** Timed epochs per path (alternating); the best of each is reported. */
    private static int repeats = 2;

    private BenchFit() {
    }

    public static void main(String[] args) throws Exception {
        String models = "mlp,cnn";
        int threads = 2;
        int limit = 60000;
        int batch = 128;
        String backends = "torch";
        String metrics = "both";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--models" -> models = args[i + 1];
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--train-limit" -> limit = Integer.parseInt(args[i + 1]);
                case "--batch-size" -> batch = Integer.parseInt(args[i + 1]);
                case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
                case "--backend" -> backends = args[i + 1].equals("both") ? "torch,tensorflow" : args[i + 1];
                case "--metrics" -> metrics = args[i + 1];
                default -> throw new IllegalArgumentException("Unknown option " + args[i]);
            }
        }
        Engines.offlineWithThreads(threads);
        RandomSeeds.setRandomSeed(42);

        FashionMnist.Data d = FashionMnist.loadData(FashionMnist.DEFAULT_DIR, limit, 1);
        NdArray x = FashionMnist.scaled(d.xTrain());
        int n = x.length();
        float[] xf = x.toFloatArray();
        int[] y = d.yTrain().toIntArray();
        if (metrics.equals("both")) {
            metrics = "accuracy,none";
        }
        for (String m : models.split(",")) {
            for (String backend : backends.split(",")) {
                for (String variant : metrics.split(",")) {
                    boolean withMetrics = switch (variant) {
                        case "accuracy" -> true;
                        case "none" -> false;
                        default -> throw new IllegalArgumentException("Unknown --metrics " + variant);
                    };
                    if (backend.equals("torch") || backend.equals("pytorch")) {
                        benchTorch(m, threads, batch, x, d, xf, y, n, withMetrics);
                    } else {
                        benchTensorflow(m, threads, batch, x, d, xf, y, n, withMetrics);
                    }
                }
            }
        }
    }

    /** The reference model, as compiled (loss and accuracy), or with its loss alone. */
    private static Sequential reference(boolean cnn, boolean metrics) {
        Sequential model = cnn ? ReferenceModels.cnn() : ReferenceModels.mlp();
        if (!metrics) {
            model.compile(new Adam(1e-3), model.losses().get(0), List.of());
        }
        return model;
    }

    /** Our fit on tensorflow against the hand-written TensorFlow Java loop. */
    private static void benchTensorflow(String m, int threads, int batch, NdArray x, FashionMnist.Data d, float[] xf,
            int[] y, int n, boolean metrics) {
        boolean cnn = m.equals("cnn");
        int warmup = 20;
        NdArray xs = cnn ? x.reshape(n, 28, 28, 1) : x;
        // The warm-up also traces the last, smaller batch's signature, so the timed epoch traces nothing.
        int w = Math.min(n, warmup * batch + n % batch);
        double keras = 0;
        double tf = 0;
        // As for torch: the timed epochs alternate, repeats times each, and the best of each counts, so a burst of
        // load on this shared machine does not land on one side only.
        double[] pairs = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            // Odd repeats run the loop first, so a trend in the machine's speed favours neither side.
            double b = r % 2 == 1 ? TfLoop.train(cnn, xf, y, n, batch, warmup, threads, metrics) : 0;
            double k;
            try (Backends.Selection s = Backends.use("tensorflow")) {
                Sequential model = reference(cnn, metrics);
                model.fit(xs.rows(0, w), d.yTrain().rows(0, w), new FitOptions().epochs(1).batchSize(batch)
                        .verbose(0));
                long t0 = System.nanoTime();
                model.fit(xs, d.yTrain(), new FitOptions().epochs(1).batchSize(batch).verbose(0).seed(42));
                k = n / ((System.nanoTime() - t0) / 1e9);
                keras = Math.max(keras, k);
                model.close();
            }
            if (r % 2 == 0) {
                b = TfLoop.train(cnn, xf, y, n, batch, warmup, threads, metrics);
            }
            tf = Math.max(tf, b);
            pairs[r] = k / b;
        }
        String v = metrics ? "accuracy" : "none";
        System.out.printf(Locale.ROOT, "RESULT path=keras-tf model=%s metrics=%s threads=%d samples_per_sec=%.0f%n", m,
                v, threads, keras);
        System.out.printf(Locale.ROOT, "RESULT path=tf model=%s metrics=%s threads=%d samples_per_sec=%.0f%n", m, v,
                threads, tf);
        System.out.printf(Locale.ROOT, "RATIO model=%s metrics=%s keras-tf/tf=%.3f%n", m, v, keras / tf);
        printPairs(m, v, "keras-tf/tf", pairs);
    }

    /**
     * Our fit on torch against the hand-written DJL loop. Each path gets a warm-up of one epoch (so both run
     * JIT-compiled code: with a quarter epoch our fit's epochs were still speeding up), then the timed epochs
     * alternate, {@code repeats} times each (the loop first on odd repeats), and the best of each counts: a busy
     * neighbour or the JIT then biases neither side.
     */
    private static void benchTorch(String m, int threads, int batch, NdArray x, FashionMnist.Data d, float[] xf,
            int[] y, int n, boolean metrics) {
        try (Backends.Selection s = Backends.use("torch")) {
            boolean cnn = m.equals("cnn");
            int warmup = Math.max(20, n / batch);
            NdArray xs = cnn ? x.reshape(n, 28, 28, 1) : x;
            int w = Math.min(n, warmup * batch);
            double keras = 0;
            double djl = 0;
            double[] pairs = new double[repeats];
            long faults = -1;
            for (int r = 0; r < repeats; r++) {
                // (b) first on odd repeats, so a trend in the machine's speed favours neither side.
                double b = r % 2 == 1 ? DjlLoop.train(cnn, xf, y, n, batch, warmup, metrics) : 0;
                // (a) our fit: a fresh model, a warm-up fit, then one timed epoch.
                Sequential model = reference(cnn, metrics);
                model.fit(xs.rows(0, w), d.yTrain().rows(0, w), new FitOptions().epochs(1).batchSize(batch).verbose(0));
                long f0 = PageFaults.minor();
                long t0 = System.nanoTime();
                model.fit(xs, d.yTrain(), new FitOptions().epochs(1).batchSize(batch).verbose(0).seed(42));
                double k = n / ((System.nanoTime() - t0) / 1e9);
                faults = PageFaults.perStep(f0, PageFaults.minor(), (n + batch - 1) / batch);
                keras = Math.max(keras, k);
                model.close();
                // (b) the hand-written DJL loop, warmed up the same way.
                if (r % 2 == 0) {
                    b = DjlLoop.train(cnn, xf, y, n, batch, warmup, metrics);
                }
                djl = Math.max(djl, b);
                pairs[r] = k / b;
            }
            String v = metrics ? "accuracy" : "none";
            System.out.printf(Locale.ROOT, "RESULT path=keras model=%s metrics=%s threads=%d samples_per_sec=%.0f "
                    + "page_faults_per_step=%d%n", m, v, threads, keras, faults);
            System.out.printf(Locale.ROOT, "RESULT path=djl model=%s metrics=%s threads=%d samples_per_sec=%.0f%n", m,
                    v, threads, djl);
            System.out.printf(Locale.ROOT, "RATIO model=%s metrics=%s keras/djl=%.3f%n", m, v, keras / djl);
            printPairs(m, v, "keras/djl", pairs);
        }
    }

    /**
     * The median of each repeat's ratio of two adjacent timed epochs: speed on this shared machine swings by 2x over
     * seconds, and a pair run back to back sees the same weather, where the best epoch of each side may not.
     */
    private static void printPairs(String model, String metrics, String name, double[] pairs) {
        double median = Pairs.median(pairs);
        StringBuilder all = new StringBuilder();
        for (double p : pairs) {
            all.append(all.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f", p));
        }
        System.out.printf(Locale.ROOT, "RATIO model=%s metrics=%s %s_paired_median=%.3f pairs=%s%n", model, metrics,
                name, median, all);
    }
}
