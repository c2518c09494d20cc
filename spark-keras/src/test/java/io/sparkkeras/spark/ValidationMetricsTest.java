package io.sparkkeras.spark;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.Model;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.utils.NdArray;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Validation metrics are those of all validation rows together, as Keras's {@code evaluate} over them would give,
 * however the rows fall on the workers: here one worker holds none of them.
 */
@Tag("spark")
@Timeout(120)
class ValidationMetricsTest {
    @Test
    void validationMetricsCoverEveryWorkersRowsEvenWhenOneHasNone() {
        List<Row> all = TestSpark.blobs(600, 8, 13);
        // Partition 0 keeps 99 of its 300 rows: 1% of 99 rounds down to no validation row. Partition 1 keeps 100,
        // which give one, its last (row 399). The two are within a batch of each other, so fit keeps them as they are.
        JavaRDD<Row> rows = TestSpark.jsc().parallelize(all, 2).mapPartitionsWithIndex((i, it) -> {
            List<Row> kept = new ArrayList<>();
            it.forEachRemaining(kept::add);
            return kept.subList(0, i == 0 ? 99 : 100).iterator();
        }, false);
        Dataset<Row> train = TestSpark.get().createDataFrame(rows, TestSpark.FLOATS);
        Sequential m = new Sequential(new Input(8), new Dense(3));
        m.compile(new Adam(1e-2), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                List.of("accuracy"));
        KerasModel fitted = new KerasEstimator().setModel(m).setNumWorkers(2).setBatchSize(32).setEpochs(2)
                .setValidationFraction(0.01).setVerbose(0).fit(train);

        assertEquals(List.of(99L, 99L), fitted.summary().rowsPerWorker(), "training rows");
        float[] x = new float[8];
        int[] y = new int[1];
        for (int i = 0; i < 1; i++) {
            Row r = all.get(399);
            Object[] f = (Object[]) r.get(0);
            for (int j = 0; j < 8; j++) {
                x[i * 8 + j] = (Float) f[j];
            }
            y[i] = r.getInt(1);
        }
        Map<String, Double> expected;
        try (Model same = fitted.getModel()) {
            expected = same.evaluate(NdArray.of(x, 1, 8), NdArray.of(y));
        }
        Map<String, List<Double>> history = fitted.history().history();
        assertEquals(expected.get("loss"), history.get("val_loss").get(1), 1e-5, history.toString());
        assertEquals(expected.get("accuracy"), history.get("val_accuracy").get(1), 1e-6, history.toString());
    }
}
