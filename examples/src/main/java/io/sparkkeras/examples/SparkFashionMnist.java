package io.sparkkeras.examples;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.datasets.FashionMnist;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.spark.KerasEstimator;
import io.sparkkeras.spark.KerasModel;
import io.sparkkeras.spark.KerasTrainingSummary;
import io.sparkkeras.utils.NdArray;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code bin/fashion-mnist --workers N}: the same training through {@code KerasEstimator} on an embedded
 * {@code local[N]} Spark. The images become a DataFrame of {@code features array<float>} (784 values) and
 * {@code label int}; {@code --batch-size B} is the global batch, so each worker takes {@code B / N} rows per step.
 */
final class SparkFashionMnist {
    private SparkFashionMnist() {
    }

    /** One image: the bean Spark encodes as {@code features array<float>, label int}. */
    public static final class Sample implements Serializable {
        private float[] features;
        private int label;

        public Sample() {
        }

        Sample(float[] features, int label) {
            this.features = features;
            this.label = label;
        }

        public float[] getFeatures() {
            return features;
        }

        public void setFeatures(float[] features) {
            this.features = features;
        }

        public int getLabel() {
            return label;
        }

        public void setLabel(int label) {
            this.label = label;
        }
    }

    static Dataset<Row> frame(SparkSession spark, NdArray images, NdArray labels) {
        int n = images.length();
        float[] x = images.toFloatArray();
        int d = x.length / n;
        List<Sample> samples = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            samples.add(new Sample(Arrays.copyOfRange(x, i * d, (i + 1) * d), (int) labels.getDouble(i)));
        }
        return spark.createDataset(samples, Encoders.bean(Sample.class)).toDF();
    }

    static void run(Sequential model, String modelName, FashionMnist.Data d, int epochs, int batchSize, int workers,
                    long seed, int verbose) {
        long t0 = System.nanoTime();
        SparkSession spark = SparkSession.builder()
                .master("local[" + workers + "]")
                .appName("fashion-mnist")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.adaptive.enabled", "false")
                .config("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "1")
                .config("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            Dataset<Row> train = frame(spark, FashionMnist.scaled(d.xTrain()), d.yTrain()).repartition(workers)
                    .cache();
            Dataset<Row> test = frame(spark, FashionMnist.scaled(d.xTest()), d.yTest()).cache();
            long trainRows = train.count();
            long testRows = test.count();
            int perWorker = Math.max(1, batchSize / workers);
            // The workers train on the backend --backend chose, as the local fit would.
            KerasEstimator estimator = new KerasEstimator().setModel(model).setNumWorkers(workers)
                    .setBatchSize(perWorker).setEpochs(epochs).setSeed(seed).setVerbose(verbose > 0 ? 1 : 0)
                    .setBackend(Backends.current().name());
            long fitStart = System.nanoTime();
            KerasModel fitted = estimator.fit(train);
            double fitSeconds = (System.nanoTime() - fitStart) / 1e9;
            KerasTrainingSummary s = fitted.summary();
            long inferStart = System.nanoTime();
            long correct = fitted.transform(test).filter("prediction = label").count();
            double inferSeconds = (System.nanoTime() - inferStart) / 1e9;
            double accuracy = correct / (double) testRows;
            double samplesPerSec = (double) s.stepsRun() * perWorker * workers / s.trainSeconds();
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (verbose > 0) {
                System.out.printf(Locale.ROOT, "fit %.1fs (train %.1fs), %d steps/epoch x %d per worker, "
                                + "step %.2f ms, allreduce %.3f ms/step; transform %d rows in %.1fs (%.0f rows/s)%n",
                        fitSeconds, s.trainSeconds(), s.stepsPerEpoch(), perWorker, s.stepMs(),
                        s.allreduceMsPerStep(), testRows, inferSeconds, testRows / inferSeconds);
            }
            System.out.printf(Locale.ROOT, "RESULT model=%s backend=%s workers=%d epochs=%d test_accuracy=%.4f "
                            + "train_samples_per_sec=%.0f seconds=%.1f allreduce_ms_per_step=%.3f step_ms=%.2f "
                            + "train_rows=%d%n", modelName, Backends.get(estimator.getBackend()).name(), workers,
                    epochs, accuracy, samplesPerSec, seconds, s.allreduceMsPerStep(), s.stepMs(), trainRows);
        } finally {
            spark.stop();
        }
    }
}
