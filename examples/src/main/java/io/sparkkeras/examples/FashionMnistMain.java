package io.sparkkeras.examples;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.datasets.FashionMnist;
import io.sparkkeras.models.FitOptions;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The project's main job: trains the reference MLP or CNN on Fashion-MNIST and prints, as its last line,
 * {@code RESULT model=... backend=... workers=... epochs=... test_accuracy=... train_samples_per_sec=... seconds=...}.
 *
 * <pre>
 * bin/fashion-mnist --model mlp --epochs 10 --batch-size 128 --backend pytorch --workers 0
 * </pre>
 */
public final class FashionMnistMain {
    private static final String USAGE = """
            Usage: bin/fashion-mnist [options]
              --model mlp|cnn        reference model (default mlp)
              --epochs N             epochs (default 10)
              --batch-size B         samples per step (default 128)
              --backend pytorch      Keras backend (default pytorch; also: torch)
              --workers N            0 = local fit in this JVM (default 0)
              --train-limit N        use the first N training images (default all 60000)
              --threads T            engine threads (default: all cores)
              --seed S               random seed (default 42)
              --verbose 0|1|2        progress output (default 1)
              --data DIR             Fashion-MNIST folder (default /usr/share/datasets/fashion-mnist)
            """;

    private FashionMnistMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        String modelName = opts.getOrDefault("model", "mlp");
        int epochs = intOpt(opts, "epochs", 10);
        int batchSize = intOpt(opts, "batch-size", 128);
        String backend = opts.getOrDefault("backend", "pytorch");
        int workers = intOpt(opts, "workers", 0);
        int trainLimit = intOpt(opts, "train-limit", Integer.MAX_VALUE);
        int threads = intOpt(opts, "threads", Runtime.getRuntime().availableProcessors());
        long seed = intOpt(opts, "seed", 42);
        int verbose = intOpt(opts, "verbose", 1);
        Path dir = Path.of(opts.getOrDefault("data", FashionMnist.DEFAULT_DIR.toString()));
        if (!modelName.equals("mlp") && !modelName.equals("cnn")) {
            fail("--model must be mlp or cnn; received " + modelName);
        }
        if (workers != 0) {
            fail("--workers " + workers + ": training on Spark workers is not available in this build yet; "
                    + "use --workers 0 (local fit)");
        }
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("ai.djl.offline", "true");
        Backends.setDefault(backend);
        RandomSeeds.setRandomSeed(seed);

        FashionMnist.Data d = FashionMnist.loadData(dir, trainLimit, Integer.MAX_VALUE);
        boolean cnn = modelName.equals("cnn");
        NdArray xTrain = shape(FashionMnist.scaled(d.xTrain()), cnn);
        NdArray xTest = shape(FashionMnist.scaled(d.xTest()), cnn);

        Sequential model = cnn ? ReferenceModels.cnn() : ReferenceModels.mlp();
        if (verbose > 0) {
            model.summary();
        }
        long t0 = System.nanoTime();
        model.fit(xTrain, d.yTrain(), new FitOptions().epochs(epochs).batchSize(batchSize).verbose(verbose)
                .seed(seed));
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> test = model.evaluate(xTest, d.yTest(), 1024, 0);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double samplesPerSec = (double) xTrain.length() * epochs / trainSeconds;
        System.out.printf(Locale.ROOT, "RESULT model=%s backend=%s workers=%d epochs=%d test_accuracy=%.4f "
                        + "train_samples_per_sec=%.0f seconds=%.1f%n", modelName, Backends.current().name(), workers,
                epochs, test.get("accuracy"), samplesPerSec, seconds);
        model.close();
    }

    private static NdArray shape(NdArray images, boolean cnn) {
        return cnn ? images.reshape(images.length(), 28, 28, 1) : images;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.print(USAGE);
                System.exit(0);
            }
            if (!a.startsWith("--") || i + 1 >= args.length) {
                fail("Unexpected argument '" + a + "'");
            }
            m.put(a.substring(2), args[++i]);
        }
        return m;
    }

    private static int intOpt(Map<String, String> m, String key, int dflt) {
        String v = m.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            fail("--" + key + " expects an integer; received '" + v + "'");
            return dflt;
        }
    }

    private static void fail(String message) {
        System.err.println("fashion-mnist: " + message);
        System.err.print(USAGE);
        System.exit(2);
    }
}
