package io.sparkkeras.benchmarks;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.datasets.FashionMnist;
import io.sparkkeras.examples.ReferenceModels;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;

import java.util.Locale;

/**
 * Inference throughput of the reference models: {@code model.predict} over the Fashion-MNIST test set, once to warm
 * up and then the best of {@code --repeats} timed calls, plus {@code predictOnBatch} of one batch. Prints
 * {@code RESULT path=predict backend=... model=... batch_size=... samples_per_sec=...} lines.
 *
 * <pre>
 * java ... io.sparkkeras.benchmarks.BenchPredict --backend tensorflow --models mlp,cnn --threads 2
 * </pre>
 */
public final class BenchPredict {
    private BenchPredict() {
    }

    public static void main(String[] args) throws Exception {
        String models = "mlp,cnn";
        String backends = "tensorflow";
        int threads = 2;
        int batch = 32;
        int repeats = 3;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--models" -> models = args[i + 1];
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--batch-size" -> batch = Integer.parseInt(args[i + 1]);
                case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
                case "--backend" -> backends = args[i + 1].equals("both") ? "torch,tensorflow" : args[i + 1];
                default -> throw new IllegalArgumentException("Unknown option " + args[i]);
            }
        }
        Engines.offlineWithThreads(threads);
        FashionMnist.Data d = FashionMnist.loadData(FashionMnist.DEFAULT_DIR, 1, 10000);
        NdArray x = FashionMnist.scaled(d.xTest());
        int n = x.length();
        for (String backend : backends.split(",")) {
            for (String m : models.split(",")) {
                try (Backends.Selection s = Backends.use(backend)) {
                    RandomSeeds.setRandomSeed(42);
                    boolean cnn = m.equals("cnn");
                    Sequential model = cnn ? ReferenceModels.cnn() : ReferenceModels.mlp();
                    NdArray xs = cnn ? x.reshape(n, 28, 28, 1) : x;
                    model.predict(xs, batch, 0);
                    double best = Double.MAX_VALUE;
                    for (int r = 0; r < repeats; r++) {
                        long t0 = System.nanoTime();
                        model.predict(xs, batch, 0);
                        best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                    }
                    NdArray one = xs.rows(0, batch);
                    model.predictOnBatch(one);
                    long t0 = System.nanoTime();
                    int calls = 200;
                    for (int r = 0; r < calls; r++) {
                        model.predictOnBatch(one);
                    }
                    double perCallMs = (System.nanoTime() - t0) / 1e6 / calls;
                    System.out.printf(Locale.ROOT, "RESULT path=predict backend=%s model=%s batch_size=%d "
                            + "samples_per_sec=%.0f predict_on_batch_ms=%.3f%n", backend, m, batch, n / best,
                            perCallMs);
                    model.close();
                }
            }
        }
    }
}
