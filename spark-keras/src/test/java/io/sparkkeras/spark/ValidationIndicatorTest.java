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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code validationIndicatorCol}, as Spark ML's GBTClassifier: a boolean column says which rows validate (true) and
 * which train (false).
 */
@Tag("spark")
@Timeout(180)
class ValidationIndicatorTest {
    private static final StructType SCHEMA = new StructType()
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("label", DataTypes.IntegerType, false)
            .add("isVal", DataTypes.BooleanType, true);

    /**
     * Blobs of 3 classes; every fourth row is a validation row whose label is wrong (the next class). A model trained
     * on the other rows alone gets those labels wrong, so val_accuracy near 0 shows the split is the column's.
     */
    private static Dataset<Row> data(Boolean nullAt) {
        List<Row> rows = new ArrayList<>();
        int i = 0;
        for (Row r : TestSpark.blobs(800, 4, 7)) {
            int c = r.getInt(1);
            boolean val = i % 4 == 0;
            rows.add(RowFactory.create(r.get(0), val ? (c + 1) % 3 : c, nullAt != null && i == 10 ? null : val));
            i++;
        }
        return TestSpark.frame(rows, SCHEMA, 2);
    }

    private static KerasEstimator estimator() {
        Sequential m = new Sequential(new Input(4), new Dense(8, "relu"), new Dense(3));
        m.compile(new Adam(3e-2), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                List.of("accuracy"));
        return new KerasEstimator().setModel(m).setNumWorkers(2).setBatchSize(32).setEpochs(5).setVerbose(0);
    }

    @Test
    void theColumnChoosesTheValidationRows() {
        KerasModel fitted = estimator().setValidationIndicatorCol("isVal").fit(data(null));

        assertEquals(600, fitted.summary().rowsPerWorker().stream().mapToLong(Long::longValue).sum(),
                "the 600 rows with isVal = false train");
        double accuracy = fitted.history().last("accuracy");
        double valAccuracy = fitted.history().last("val_accuracy");
        assertTrue(accuracy > 0.9, "accuracy on the training rows " + accuracy);
        assertTrue(valAccuracy < 0.1, "val_accuracy on the mislabelled validation rows " + valAccuracy);
    }

    @Test
    void validationRowsBunchedInOnePartitionAreSpreadOverTheWorkers() {
        // As a split by date over date-ordered partitions: partition 0 holds 300 training rows, partition 1 100
        // training rows and 200 validation rows. Used as they are, worker 0 would leave 200 rows out of every epoch.
        List<Row> rows = new ArrayList<>();
        for (Row r : TestSpark.blobs(600, 4, 3)) {
            rows.add(RowFactory.create(r.get(0), r.getInt(1), rows.size() >= 400));
        }
        KerasModel fitted = estimator().setEpochs(1).setValidationIndicatorCol("isVal")
                .fit(TestSpark.frame(rows, SCHEMA, 2));

        List<Long> perWorker = fitted.summary().rowsPerWorker();
        assertEquals(400, perWorker.get(0) + perWorker.get(1));
        assertTrue(Math.abs(perWorker.get(0) - perWorker.get(1)) < 32, "training rows per worker " + perWorker);
    }

    @Test
    void aNullIndicatorIsNamedWithItsRow() {
        Exception e = assertThrows(Exception.class,
                () -> estimator().setValidationIndicatorCol("isVal").fit(data(Boolean.TRUE)));
        String m = TestSpark.messages(e);
        assertTrue(m.contains("`isVal`") && m.contains("validationIndicatorCol") && m.contains("is null")
                && m.contains("offset"), m);
    }

    @Test
    void aWrongColumnOrBothSplitsAreRefusedBeforeTraining() {
        Dataset<Row> df = data(null);
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> estimator().setValidationIndicatorCol("label").transformSchema(df.schema()));
        assertTrue(type.getMessage().contains("`label`") && type.getMessage().contains("expected boolean"),
                type.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> estimator().setValidationIndicatorCol("nope").transformSchema(df.schema()));
        assertTrue(missing.getMessage().contains("`nope`") && missing.getMessage().contains("does not exist"),
                missing.getMessage());
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> estimator().setValidationIndicatorCol("isVal").setValidationFraction(0.2)
                        .transformSchema(df.schema()));
        assertTrue(both.getMessage().contains("validationFraction=0.2"), both.getMessage());
    }
}
