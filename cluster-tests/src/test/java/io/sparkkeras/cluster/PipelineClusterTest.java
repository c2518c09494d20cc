package io.sparkkeras.cluster;

import io.sparkkeras.callbacks.EarlyStopping;
import io.sparkkeras.callbacks.LambdaCallback;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.spark.KerasEstimator;
import io.sparkkeras.spark.KerasModel;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.randn;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Spark ML Pipeline of VectorAssembler, StandardScaler and KerasEstimator on the 2-executor cluster: fitted on
 * 10,000 rows, saved, loaded and applied to 10,000 other rows, with the loaded pipeline scoring every row as the
 * fitted one did.
 */
@Tag("cluster")
class PipelineClusterTest {
    private static final String[] COLS = {"a", "b", "c", "d"};

    private static SparkSession spark;

    @BeforeAll
    static void startCluster() {
        spark = ClusterSpark.start("pipeline-cluster-test", Map.of());
    }

    @AfterAll
    static void stopCluster() {
        if (spark != null) {
            spark.stop();
        }
    }

    /**
     * {@code rows} rows generated on the executors: a label in {0, 1, 2} and four numeric columns far from zero mean
     * (so the scaler matters), the column of the label's index shifted by 20.
     */
    private static Dataset<Row> numeric(long rows, long seed) {
        Dataset<Row> ids = spark.range(0, rows, 1, 2).withColumn("label", col("id").mod(3).cast("int"));
        Column[] cols = new Column[COLS.length + 1];
        for (int j = 0; j < COLS.length; j++) {
            cols[j] = randn(seed * 31 + j).multiply(5.0).plus(100.0)
                    .plus(when(col("label").equalTo(j), lit(20.0)).otherwise(lit(0.0))).as(COLS[j]);
        }
        cols[COLS.length] = col("label");
        return ids.select(cols);
    }

    @Test
    @Timeout(300)
    void pipelineFitsSavesLoadsAndTransformsTenThousandRows(@TempDir Path dir) throws Exception {
        Sequential m = new Sequential(new Input(COLS.length), new Dense(16, "relu"), new Dense(3));
        m.compile(new Adam(1e-2), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                List.of("accuracy"));
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
                new VectorAssembler().setInputCols(COLS).setOutputCol("assembled"),
                new StandardScaler().setInputCol("assembled").setOutputCol("scaled").setWithMean(true),
                new KerasEstimator().setModel(m).setFeaturesCol("scaled").setNumWorkers(2).setBatchSize(64)
                        .setEpochs(3).setVerbose(0)});

        Dataset<Row> train = numeric(10_000, 1).cache();
        Dataset<Row> test = numeric(10_000, 2).cache();
        long t0 = System.nanoTime();
        PipelineModel fitted = pipeline.fit(train);
        double fitSeconds = (System.nanoTime() - t0) / 1e9;
        m.close();
        KerasModel keras = (KerasModel) fitted.stages()[2];
        assertTrue(keras.summary().weightsInSync(), keras.summary().toString());
        assertEquals(10_000, keras.summary().rowsPerWorker().stream().mapToLong(Long::longValue).sum());

        long t1 = System.nanoTime();
        String saved = dir.resolve("pipeline-model").toString();
        fitted.write().overwrite().save(saved);
        assertTrue(Files.exists(dir.resolve("pipeline-model/stages/2_" + keras.uid() + "/model/model.keras")));
        PipelineModel loaded = PipelineModel.load(saved);

        List<Row> before = fitted.transform(test).select("probability", "prediction").collectAsList();
        Dataset<Row> scored = loaded.transform(test).select("label", "probability", "prediction").cache();
        List<Row> after = scored.select("probability", "prediction").collectAsList();
        assertEquals(10_000, after.size());
        for (int i = 0; i < after.size(); i++) {
            assertEquals(before.get(i).getDouble(1), after.get(i).getDouble(1), "row " + i);
            assertArrayEquals(((Vector) before.get(i).get(0)).toArray(), ((Vector) after.get(i).get(0)).toArray(),
                    1e-6, "row " + i);
        }
        double accuracy = scored.filter("prediction = label").count() / 10_000.0;
        System.out.printf(Locale.ROOT, "CLUSTER pipeline test_accuracy=%.4f fit_s=%.1f save_load_transform_s=%.1f "
                + "train_s=%.1f%n", accuracy, fitSeconds, (System.nanoTime() - t1) / 1e9,
                keras.summary().trainSeconds());
        assertTrue(accuracy > 0.95, "accuracy " + accuracy);
    }

    /**
     * Keras callbacks travel to the executor JVMs (Java serialization, a lambda among them) and decide alike in both:
     * EarlyStopping ends both ranks after epoch 2 of 10. Weighted rows and thresholds work there too.
     */
    @Test
    @Timeout(300)
    void callbacksWeightsAndThresholdsOnExecutorJvms() {
        Sequential m = new Sequential(new Input(COLS.length), new Dense(16, "relu"), new Dense(3));
        m.compile(new Adam(1e-2), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                List.of("accuracy"));
        Dataset<Row> train = new VectorAssembler().setInputCols(COLS).setOutputCol("features")
                .transform(numeric(4_000, 3)).withColumn("w", lit(1.0));
        KerasModel fitted = new KerasEstimator().setModel(m).setNumWorkers(2).setBatchSize(64).setEpochs(10)
                .setVerbose(0).setWeightCol("w").setThresholds(1, 1, 0)
                .setCallbacks(EarlyStopping.builder().monitor("loss").minDelta(100).patience(1).build(),
                        LambdaCallback.builder().onEpochEnd((epoch, logs) -> System.out.println(
                                "executor epoch " + (epoch + 1) + " loss " + logs.get("loss"))).build())
                .fit(train);
        m.close();
        assertEquals(List.of(0, 1), fitted.history().epoch(), "EarlyStopping ended both ranks after epoch 2");
        assertTrue(fitted.summary().weightsInSync(), fitted.summary().toString());
        assertEquals(0, fitted.transform(train).filter("prediction != 2").count(), "threshold 0 always wins");
    }
}
