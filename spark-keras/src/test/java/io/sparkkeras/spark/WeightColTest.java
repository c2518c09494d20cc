package io.sparkkeras.spark;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
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

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code weightCol} is Keras's {@code sample_weight} on a DataFrame column, as Spark ML's classifiers name it: a row
 * of weight 0 does not train the model, and validation metrics are weighted the same way.
 */
@Tag("spark")
@Timeout(180)
class WeightColTest {
    private static final StructType SCHEMA = new StructType()
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("label", DataTypes.IntegerType, false)
            .add("trueLabel", DataTypes.IntegerType, false)
            .add("w", DataTypes.DoubleType, true);

    /**
     * Blobs of 3 classes where 3 rows in 5 carry a wrong label (the next class) and weight 0: unweighted, the wrong
     * labels are the majority and win; weighted, only the right ones count.
     */
    private static Dataset<Row> poisoned() {
        List<Row> rows = new ArrayList<>();
        int i = 0;
        for (Row r : TestSpark.blobs(1200, 4, 31)) {
            int c = r.getInt(1);
            boolean wrong = i++ % 5 < 3;
            rows.add(RowFactory.create(r.get(0), wrong ? (c + 1) % 3 : c, c, wrong ? 0.0 : 1.0));
        }
        return TestSpark.frame(rows, SCHEMA, 2);
    }

    private static KerasEstimator estimator() {
        Sequential m = new Sequential(new Input(4), new Dense(8, "relu"), new Dense(3));
        m.compile(new Adam(3e-2), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                List.of("accuracy"));
        return new KerasEstimator().setModel(m).setNumWorkers(2).setBatchSize(32).setEpochs(6).setVerbose(0);
    }

    private static double accuracyOnTrueLabels(KerasModel fitted, Dataset<Row> df) {
        return fitted.transform(df).filter("prediction = trueLabel").count() / (double) df.count();
    }

    @Test
    void rowsOfWeightZeroDoNotTrainTheModel() {
        Dataset<Row> df = poisoned();
        KerasModel weighted = estimator().setWeightCol("w").setValidationFraction(0.2).fit(df);
        KerasModel unweighted = estimator().setValidationFraction(0.2).fit(df);

        double right = accuracyOnTrueLabels(weighted, df);
        double wrong = accuracyOnTrueLabels(unweighted, df);
        assertTrue(right > 0.9, "weighted: " + right + " of the rows get their true class");
        assertTrue(wrong < 0.5, "unweighted: " + wrong + " of the rows get their true class");
        // Validation is weighted too: only the right labels count.
        double valAccuracy = weighted.history().last("val_accuracy");
        assertTrue(valAccuracy > 0.9, "weighted val_accuracy " + valAccuracy);
        assertTrue(unweighted.history().last("val_accuracy") < 0.7,
                "unweighted val_accuracy " + unweighted.history().last("val_accuracy"));
    }

    @Test
    void badWeightsAreNamed() {
        StructType noW = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType))
                .add("label", DataTypes.IntegerType);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> estimator().setWeightCol("w").transformSchema(noW));
        assertTrue(missing.getMessage().contains("`w` (`weightCol`) does not exist"), missing.getMessage());
        IllegalArgumentException text = assertThrows(IllegalArgumentException.class,
                () -> estimator().setWeightCol("w").transformSchema(noW.add("w", DataTypes.StringType)));
        assertTrue(text.getMessage().contains("Column `w` has type string"), text.getMessage());

        List<Row> rows = new ArrayList<>();
        for (Row r : TestSpark.blobs(128, 4, 5)) {
            rows.add(RowFactory.create(r.get(0), r.getInt(1), r.getInt(1), rows.size() == 70 ? -1.0 : 1.0));
        }
        Exception e = assertThrows(Exception.class,
                () -> estimator().setWeightCol("w").fit(TestSpark.frame(rows, SCHEMA, 2)));
        String m = TestSpark.messages(e);
        assertTrue(m.contains("column `w` is -1.0, expected a finite sample weight >= 0") && m.contains("offset"), m);
    }
}
