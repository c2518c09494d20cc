package io.sparkkeras.spark;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.BinaryCrossentropy;
import io.sparkkeras.models.Model;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.utils.NdArray;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Keras model trained with binary crossentropy on one output scores as Spark ML's binary classifiers do:
 * rawPrediction {@code [-z, z]} (or {@code [1 - p, p]} for a sigmoid output), probability {@code [P(0), P(1)]},
 * prediction 0 or 1, so {@code BinaryClassificationEvaluator} reads it with its defaults.
 */
@Tag("spark")
@Timeout(180)
class BinaryClassifierTest {
    private static final StructType SCHEMA = new StructType()
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("label", DataTypes.FloatType, false);

    @ParameterizedTest(name = "fromLogits={0}")
    @ValueSource(booleans = {false, true})
    void oneSigmoidOutputScoresAsSparksBinaryClassifiers(boolean fromLogits) {
        List<Row> rows = new ArrayList<>();
        for (Row r : TestSpark.blobs(800, 4, 21)) {
            rows.add(RowFactory.create(r.get(0), r.getInt(1) == 0 ? 1f : 0f));   // class 0 against the rest
        }
        Dataset<Row> df = TestSpark.frame(rows, SCHEMA, 2);
        Sequential m = new Sequential(new Input(4), new Dense(8, "relu"), new Dense(1, fromLogits ? null : "sigmoid"));
        m.compile(new Adam(3e-2), BinaryCrossentropy.builder().fromLogits(fromLogits).build(), List.of("accuracy"));
        KerasModel fitted = new KerasEstimator().setModel(m).setNumWorkers(2).setBatchSize(32).setEpochs(5)
                .setVerbose(0).fit(df);

        List<Row> scored = fitted.transform(df).select("features", "label", "probability", "prediction",
                "rawPrediction").collectAsList();
        float[] flat = new float[scored.size() * 4];
        for (int i = 0; i < scored.size(); i++) {
            List<Float> f = scored.get(i).getList(0);
            for (int j = 0; j < 4; j++) {
                flat[i * 4 + j] = f.get(j);
            }
        }
        float[] raw;
        try (Model same = fitted.getModel()) {
            raw = same.predict(NdArray.of(flat, scored.size(), 4), 256).toFloatArray();
        }
        int right = 0;
        for (int i = 0; i < scored.size(); i++) {
            Vector p = (Vector) scored.get(i).get(2);
            double p1 = fromLogits ? 1 / (1 + Math.exp(-raw[i])) : raw[i];
            assertEquals(2, p.size(), "row " + i);
            assertEquals(p1, p.apply(1), 1e-6, "row " + i);
            assertEquals(1.0, p.apply(0) + p.apply(1), 1e-9, "row " + i);
            double prediction = scored.get(i).getDouble(3);
            assertEquals(p1 > 0.5 ? 1.0 : 0.0, prediction, "row " + i);
            Vector rawPrediction = (Vector) scored.get(i).get(4);
            double score = fromLogits ? raw[i] : p1;
            assertEquals(fromLogits ? -score : 1 - score, rawPrediction.apply(0), 1e-6, "row " + i);
            assertEquals(score, rawPrediction.apply(1), 1e-6, "row " + i);
            right += prediction == scored.get(i).getFloat(1) ? 1 : 0;
        }
        assertTrue(right > 0.9 * scored.size(), right + " of " + scored.size() + " right");
        // Spark's evaluator with its defaults (rawPredictionCol "rawPrediction"), as after any Spark classifier.
        double auc = new BinaryClassificationEvaluator().evaluate(fitted.transform(df));
        assertTrue(auc > 0.95, "areaUnderROC " + auc);
    }
}
