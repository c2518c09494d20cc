package io.sparkkeras.examples;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.datasets.FashionMnist;
import io.sparkkeras.models.FitOptions;
import io.sparkkeras.models.Model;
import io.sparkkeras.saving.KerasFileException;
import io.sparkkeras.saving.Models;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The project's main job: trains the reference MLP or CNN on Fashion-MNIST and prints, as its last line,
 * {@code RESULT model=... backend=... workers=... epochs=... test_accuracy=... train_samples_per_sec=... seconds=...}
 * (with {@code --workers N >= 1}, through {@code KerasEstimator} on an embedded {@code local[N]} Spark, plus
 * {@code allreduce_ms_per_step=... step_ms=...}).
 *
 * <pre>
 * bin/fashion-mnist --model mlp --epochs 10 --batch-size 128 --backend pytorch --workers 2
 * </pre>
 */
public final class FashionMnistMain {
    private static final String USAGE = """
            Usage: bin/fashion-mnist [options]
              --model mlp|cnn        reference model (default mlp)
              --epochs N             epochs (default 10)
              --batch-size B         samples per step (default 128)
              --backend B            Keras backend: pytorch (default; also: torch) or tensorflow
              --workers N            Spark workers (embedded local[N]) training through KerasEstimator;
                                     0 = plain local fit in this JVM (default 2)
              --train-limit N        use the first N training images (default all 60000)
              --threads T            engine threads (default: all cores)
              --seed S               random seed (default 42)
              --verbose 0|1|2        progress output (default 1)
              --data DIR             Fashion-MNIST folder (default /usr/share/datasets/fashion-mnist)
              --evaluate FILE.keras  instead of training, classify the test set with a saved .keras classifier
                                     (from Python Keras 3 or Model.save); the last line is
                                     RESULT model=FILE backend=... test_accuracy=...
              --input-scale S        with --evaluate: pixel values 0..255 are multiplied by S
                                     (default 1/255; a fraction "a/b" or a number)
            """;

    private FashionMnistMain() {
    }

    public static void main(String[] args) throws Exception {
        CommandLine opts = CommandLine.parse("fashion-mnist", USAGE, args);
        if (opts.has("evaluate")) {
            evaluate(opts);
            return;
        }
        String modelName = opts.get("model", "mlp");
        int epochs = opts.intOpt("epochs", 10);
        int batchSize = opts.intOpt("batch-size", 128);
        String backend = opts.get("backend", "pytorch");
        int workers = opts.intOpt("workers", 2);
        int trainLimit = opts.intOpt("train-limit", Integer.MAX_VALUE);
        int threads = opts.intOpt("threads", Runtime.getRuntime().availableProcessors());
        long seed = opts.intOpt("seed", 42);
        int verbose = opts.intOpt("verbose", 1);
        Path dir = Path.of(opts.get("data", FashionMnist.DEFAULT_DIR.toString()));
        if (!modelName.equals("mlp") && !modelName.equals("cnn")) {
            fail("--model must be mlp or cnn; received " + modelName);
        }
        if (workers < 0) {
            fail("--workers must be 0 (local fit) or a number of Spark workers >= 1; received " + workers);
        }
        // With Spark workers in this JVM, each worker's engine gets its share of the threads.
        int engineThreads = workers == 0 ? threads : Math.max(1, threads / workers);
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(engineThreads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("sparkkeras.tensorflow.intra_op_threads", Integer.toString(engineThreads));
        // Spark workers in this JVM share its one TensorFlow session: with an inter-op pool (of any size) their steps
        // queue for it, so each worker's ops run on its own thread (-1) instead (CNN step 49-64 ms against 85-89).
        System.setProperty("sparkkeras.tensorflow.inter_op_threads", workers == 0 ? "1" : "-1");
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
        if (workers > 0) {
            SparkFashionMnist.run(model, modelName, d, epochs, batchSize, workers, seed, verbose);
            model.close();
            return;
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

    /**
     * {@code --evaluate}: loads any {@code .keras} classifier, reshapes the 784 test pixels (times
     * {@code --input-scale}) to the model's input shape and reports the share of argmax predictions equal to the
     * labels.
     */
    private static void evaluate(CommandLine opts) throws Exception {
        Path file = Path.of(opts.get("evaluate"));
        String backend = opts.get("backend", "pytorch");
        double scale = fraction(opts.get("input-scale", "1/255"));
        int threads = opts.intOpt("threads", Runtime.getRuntime().availableProcessors());
        Path dir = Path.of(opts.get("data", FashionMnist.DEFAULT_DIR.toString()));
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("ai.djl.offline", "true");
        Backends.setDefault(backend);
        Model model;
        try {
            model = Models.load(file);
        } catch (KerasFileException e) {
            System.err.println("fashion-mnist: cannot load the model: " + e.getMessage());
            System.exit(1);
            return;
        }
        try (model) {
            if (model.inputShapes().size() != 1) {
                fail("--evaluate needs a model with one declared input; " + file + " has "
                        + model.inputShapes().size());
            }
            io.sparkkeras.backend.Shape in = model.inputShapes().get(0);
            if (!in.isFullyDefined() || in.size() != 28 * 28) {
                fail("--evaluate needs a model whose input holds 784 values (28x28 pixels); " + file
                        + " expects inputs of shape " + in);
            }
            FashionMnist.Data d = FashionMnist.loadData(dir, 0, Integer.MAX_VALUE);
            java.nio.ByteBuffer px = d.xTest().buffer();
            int n = d.xTest().length();
            float[] x = new float[n * 784];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) ((px.get(i) & 0xFF) * scale);
            }
            int[] dims = new int[in.rank() + 1];
            dims[0] = n;
            System.arraycopy(in.intDims(), 0, dims, 1, in.rank());
            NdArray p = model.predict(NdArray.of(x, dims), 1000, 0);
            int classes = (int) p.shape().last();
            float[] v = p.toFloatArray();
            int[] y = d.yTest().toIntArray();
            int correct = 0;
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int k = 1; k < classes; k++) {
                    if (v[i * classes + k] > v[i * classes + best]) {
                        best = k;
                    }
                }
                correct += best == y[i] ? 1 : 0;
            }
            System.out.printf(Locale.ROOT, "RESULT model=%s backend=%s test_accuracy=%.4f%n", file,
                    Backends.current().name(), (double) correct / n);
        }
    }

    /** A number or a fraction {@code "a/b"}. */
    private static double fraction(String s) {
        try {
            int slash = s.indexOf('/');
            return slash < 0 ? Double.parseDouble(s)
                    : Double.parseDouble(s.substring(0, slash)) / Double.parseDouble(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            fail("--input-scale expects a number or a fraction such as 1/255; received '" + s + "'");
            return 0;
        }
    }

    private static NdArray shape(NdArray images, boolean cnn) {
        return cnn ? images.reshape(images.length(), 28, 28, 1) : images;
    }

    private static void fail(String message) {
        CommandLine.fail("fashion-mnist", USAGE, message);
    }
}
