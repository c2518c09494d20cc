package io.sparkkeras.spark;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.layers.KerasTensor;
import io.sparkkeras.models.Model;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A Pipeline of VectorAssembler, StandardScaler and our estimator fits, saves, loads and transforms. */
@Tag("spark")
@Timeout(180)
class PipelinePersistenceTest {
    private static final String[] COLS = {"a", "b", "c", "d"};

    private static Dataset<Row> numeric(int n, long seed) {
        StructType schema = new StructType();
        for (String c : COLS) {
            schema = schema.add(c, DataTypes.DoubleType, false);
        }
        schema = schema.add("label", DataTypes.IntegerType, false);
        List<Row> rows = new ArrayList<>();
        for (Row r : TestSpark.blobs(n, COLS.length, seed)) {
            Object[] v = new Object[COLS.length + 1];
            Float[] x = (Float[]) r.get(0);
            for (int j = 0; j < COLS.length; j++) {
                v[j] = 10.0 * x[j] + 100.0; // far from zero mean, unit variance: the scaler matters
            }
            v[COLS.length] = r.getInt(1);
            rows.add(RowFactory.create(v));
        }
        return TestSpark.frame(rows, schema, 2);
    }

    @Test
    void pipelineSavesLoadsAndTransforms(@TempDir Path dir) throws Exception {
        TestSpark.get();
        Sequential m = new Sequential(new Input(COLS.length), new Dense(16, "relu"), new Dense(3));
        m.compile(new Adam(1e-2), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                List.of("accuracy"));
        KerasEstimator keras = new KerasEstimator().setModel(m).setFeaturesCol("scaled").setNumWorkers(2)
                .setBatchSize(32).setEpochs(5).setVerbose(0);
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
                new VectorAssembler().setInputCols(COLS).setOutputCol("assembled"),
                new StandardScaler().setInputCol("assembled").setOutputCol("scaled").setWithMean(true),
                keras});

        String unfitted = dir.resolve("pipeline").toString();
        pipeline.write().overwrite().save(unfitted);
        Pipeline reloaded = Pipeline.load(unfitted);
        KerasEstimator reloadedKeras = (KerasEstimator) reloaded.getStages()[2];
        assertEquals(5, reloadedKeras.getEpochs());
        assertEquals("scaled", reloadedKeras.getFeaturesCol());
        assertEquals(keras.uid(), reloadedKeras.uid());

        Dataset<Row> train = numeric(1024, 1);
        Dataset<Row> test = numeric(512, 2);
        PipelineModel fitted = reloaded.fit(train);
        Dataset<Row> scored = fitted.transform(test);
        assertTrue(List.of(scored.columns()).containsAll(List.of("probability", "prediction")));
        double accuracy = scored.filter("prediction = label").count() / 512.0;
        assertTrue(accuracy > 0.85, "accuracy " + accuracy);

        String saved = dir.resolve("model").toString();
        fitted.write().overwrite().save(saved);
        PipelineModel loaded = PipelineModel.load(saved);
        List<Row> a = scored.select("probability", "prediction").collectAsList();
        List<Row> b = loaded.transform(test).select("probability", "prediction").collectAsList();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).getDouble(1), b.get(i).getDouble(1));
            assertArrayEquals(((Vector) a.get(i).get(0)).toArray(), ((Vector) b.get(i).get(0)).toArray(), 1e-6);
            double sum = 0;
            for (double p : ((Vector) a.get(i).get(0)).toArray()) {
                sum += p;
            }
            assertEquals(1.0, sum, 1e-5, "probabilities of logits models are softmax-ed");
        }
        KerasModel km = (KerasModel) loaded.stages()[2];
        assertEquals("scaled", km.getFeaturesCol());
        KerasModel copy = km.copy(new org.apache.spark.ml.param.ParamMap().put(km.predictionCol().w("p2")));
        assertTrue(List.of(copy.transform(loaded.stages()[1].transform(loaded.stages()[0].transform(test)))
                .columns()).contains("p2"));
        // The model file is a Keras 3 .keras archive.
        assertTrue(java.nio.file.Files.exists(dir.resolve("model/stages/2_" + km.uid() + "/model/model.keras")));
    }

    @Test
    void functionalModelTrainsOnSeveralNumericColumnsAndScores() {
        KerasTensor in = Input.of(COLS.length);
        KerasTensor out = new Dense(3).apply(new Dense(8, "relu").apply(in));
        Model functional = new Model(in, out);
        functional.compile(new Adam(1e-2), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                List.of("accuracy"));
        Dataset<Row> train = numeric(256, 3);
        KerasModel fitted = new KerasEstimator().setModel(functional).setFeaturesCols(COLS).setNumWorkers(1)
                .setBatchSize(32).setEpochs(1).setVerbose(0).fit(train);
        Dataset<Row> scored = fitted.transform(train);
        assertEquals(256, scored.filter("prediction >= 0 AND prediction <= 2").count());
        assertEquals(8, fitted.summary().stepsRun());
    }
}
