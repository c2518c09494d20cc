package io.sparkkeras.spark;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.MeanSquaredError;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A one-output regression model trains on a numeric label column of shape {@code (rows,)} (Keras matches it to the
 * model's {@code (rows, 1)} output row by row) and its prediction column is the output itself.
 */
@Tag("spark")
@Timeout(180)
class RegressorTest {
    @Test
    void linearTargetIsLearnedAndScoredByRegressionEvaluator() {
        StructType schema = new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
                .add("label", DataTypes.DoubleType, false);
        Random r = new Random(5);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            float a = (float) r.nextGaussian();
            float b = (float) r.nextGaussian();
            rows.add(RowFactory.create(new Float[] {a, b}, 2.0 * a - b + 0.5 + 0.05 * r.nextGaussian()));
        }
        Dataset<Row> df = TestSpark.frame(rows, schema, 2);
        Sequential m = new Sequential(new Input(2), new Dense(1));
        m.compile(new Adam(5e-2), new MeanSquaredError(), List.of());
        KerasModel fitted = new KerasEstimator().setModel(m).setNumWorkers(2).setBatchSize(32).setEpochs(10)
                .setVerbose(0).fit(df);
        double rmse = new RegressionEvaluator().setLabelCol("label").setPredictionCol("prediction")
                .setMetricName("rmse").evaluate(fitted.transform(df));
        // The noise alone is 0.05; a (rows, rows) broadcast of labels against outputs learns only the mean (2.2).
        assertTrue(rmse < 0.2, "rmse " + rmse + ", history " + fitted.history().history());
    }
}
