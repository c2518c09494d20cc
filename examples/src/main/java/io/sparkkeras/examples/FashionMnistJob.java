package io.sparkkeras.examples;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.datasets.FashionMnist;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.spark.KerasEstimator;
import io.sparkkeras.spark.KerasModel;
import io.sparkkeras.spark.KerasTrainingSummary;
import io.sparkkeras.utils.RandomSeeds;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The {@code spark-submit} job: trains the reference MLP or CNN with {@link KerasEstimator} on Fashion-MNIST read
 * from Parquet, scores the test set with the fitted {@link KerasModel} and prints, as its last line, the
 * {@code RESULT} line of {@code bin/fashion-mnist}. The master comes from {@code spark-submit}; the Parquet input
 * is written once from the IDX files with {@code --write-parquet DIR} (no cluster needed).
 *
 * <pre>
 * spark-submit --class io.sparkkeras.examples.FashionMnistJob --master spark://host:7077 \
 *     spark-keras-job.jar --data /data/fashion-parquet --model mlp --epochs 10 --workers 2
 * </pre>
 */
public final class FashionMnistJob {
    private static final String USAGE = """
            Usage: FashionMnistJob --data DIR [options]        (DIR holds train/ and test/ Parquet)
                   FashionMnistJob --write-parquet DIR [--idx DIR] [--train-limit N] [--test-limit N]
              --model mlp|cnn        reference model (default mlp)
              --epochs N             epochs (default 10)
              --batch-size B         global samples per step, split over the workers (default 128)
              --workers N            barrier tasks, one per free task slot of the cluster (default 2)
              --train-limit N        use the first N training rows (default all)
              --seed S               random seed (default 42)
              --timeout S            seconds a worker waits for a peer before failing the fit (default 60)
              --checkpoint-dir URI   a .keras checkpoint per epoch; a rerun resumes after the last one
              --save URI             save the fitted KerasModel (Spark ML format, model.keras inside)
              --verbose 0|1          per-epoch progress (default 1)
              --idx DIR              with --write-parquet: the IDX files (default /usr/share/datasets/fashion-mnist)
            The backend is the driver's Keras backend: -DKERAS_BACKEND=tensorflow (or the environment variable, or
            ~/.keras/keras.json) with the TensorFlow jars in --jars; torch if none is configured.
            """;

    private FashionMnistJob() {
    }

    public static void main(String[] args) throws Exception {
        CommandLine opts = CommandLine.parse("FashionMnistJob", USAGE, args);
        if (opts.has("write-parquet")) {
            Path out = FashionMnistParquet.write(Path.of(opts.get("idx", FashionMnist.DEFAULT_DIR.toString())),
                    Path.of(opts.get("write-parquet")), opts.intOpt("train-limit", Integer.MAX_VALUE),
                    opts.intOpt("test-limit", Integer.MAX_VALUE));
            System.out.println("wrote " + out.resolve("train") + " and " + out.resolve("test"));
            return;
        }
        String data = opts.get("data");
        if (data == null) {
            fail("--data DIR is required (write it once with --write-parquet DIR)");
        }
        String modelName = opts.get("model", "mlp");
        if (!modelName.equals("mlp") && !modelName.equals("cnn")) {
            fail("--model must be mlp or cnn; received " + modelName);
        }
        int epochs = opts.intOpt("epochs", 10);
        int batchSize = opts.intOpt("batch-size", 128);
        int workers = opts.intOpt("workers", 2);
        int trainLimit = opts.intOpt("train-limit", 0);
        long seed = opts.intOpt("seed", 42);
        int verbose = opts.intOpt("verbose", 1);
        if (workers < 1 || batchSize < workers) {
            fail("--workers must be >= 1 and --batch-size >= --workers; received workers=" + workers
                    + " batch-size=" + batchSize);
        }
        // The driver builds the model and ships it as .keras bytes: it needs the engine, never a download.
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));

        long t0 = System.nanoTime();
        SparkSession spark = SparkSession.builder().appName("FashionMnistJob").getOrCreate();
        try {
            Dataset<Row> train = spark.read().parquet(data + "/train");
            if (trainLimit > 0) {
                train = train.limit(trainLimit);
            }
            Dataset<Row> test = spark.read().parquet(data + "/test");

            RandomSeeds.setRandomSeed(seed);
            Sequential model = modelName.equals("cnn") ? ReferenceModels.cnn() : ReferenceModels.mlp();
            int perWorker = batchSize / workers;
            KerasEstimator estimator = new KerasEstimator().setModel(model)
                    .setFeaturesCol("features").setLabelCol("label")
                    .setNumWorkers(workers).setBatchSize(perWorker).setEpochs(epochs).setSeed(seed)
                    .setTimeout(opts.intOpt("timeout", 60)).setVerbose(verbose > 0 ? 1 : 0);
            if (opts.has("checkpoint-dir")) {
                estimator.setCheckpointDir(opts.get("checkpoint-dir"));
            }
            KerasModel fitted = estimator.fit(train);
            model.close();
            KerasTrainingSummary s = fitted.summary();
            if (opts.has("save")) {
                fitted.write().overwrite().save(opts.get("save"));
            }

            long inferStart = System.nanoTime();
            Dataset<Row> scored = fitted.transform(test).select("label", "prediction").cache();
            long testRows = scored.count();
            long correct = scored.filter("prediction = label").count();
            double inferSeconds = (System.nanoTime() - inferStart) / 1e9;
            long trainRows = 0;
            for (long r : s.rowsPerWorker()) {
                trainRows += r;
            }
            double samplesPerSec = (double) s.stepsRun() * perWorker * workers / s.trainSeconds();
            if (verbose > 0) {
                System.out.printf(Locale.ROOT, "%s; transform of %d test rows in %.1f s (%.0f rows/s)%n", s,
                        testRows, inferSeconds, testRows / inferSeconds);
            }
            System.out.printf(Locale.ROOT, "RESULT model=%s backend=%s workers=%d epochs=%d test_accuracy=%.4f "
                            + "train_samples_per_sec=%.0f seconds=%.1f allreduce_ms_per_step=%.3f step_ms=%.2f "
                            + "train_rows=%d master=%s%n", modelName, Backends.get(estimator.getBackend()).name(),
                    workers, epochs, correct / (double) testRows, samplesPerSec, (System.nanoTime() - t0) / 1e9,
                    s.allreduceMsPerStep(), s.stepMs(), trainRows, spark.sparkContext().master());
        } finally {
            spark.stop();
        }
    }

    private static void fail(String message) {
        CommandLine.fail("FashionMnistJob", USAGE, message);
    }
}
