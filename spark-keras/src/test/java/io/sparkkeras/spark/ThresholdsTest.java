package io.sparkkeras.spark;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.SGD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spark ML's {@code thresholds}: the predicted class is the one with the largest probability / threshold. */
@Tag("spark")
@Timeout(120)
class ThresholdsTest {
    private static Dataset<Row> data() {
        return TestSpark.frame(TestSpark.blobs(400, 8, 17), TestSpark.FLOATS, 2);
    }

    @Test
    void aBinaryClassifierPredictsOneAboveItsThreshold() {
        Sequential m = new Sequential(new Input(8), new Dense(1, "sigmoid"));
        m.compile(new SGD(0.1), "binary_crossentropy", List.of());
        KerasModel model = KerasModel.of(m);
        List<Row> plain = model.transform(data()).select("probability", "prediction").collectAsList();
        List<Row> tuned = model.copy(new org.apache.spark.ml.param.ParamMap()).setThresholds(0.7, 0.3)
                .transform(data()).select("probability", "prediction").collectAsList();
        int changed = 0;
        for (int i = 0; i < tuned.size(); i++) {
            double p1 = ((Vector) tuned.get(i).get(0)).apply(1);
            assertEquals(p1 / 0.3 > (1 - p1) / 0.7 ? 1.0 : 0.0, tuned.get(i).getDouble(1), "row " + i);
            assertEquals(p1 > 0.5 ? 1.0 : 0.0, plain.get(i).getDouble(1), "row " + i);
            changed += tuned.get(i).getDouble(1) != plain.get(i).getDouble(1) ? 1 : 0;
        }
        assertTrue(changed > 0, "no row has P(1) in (0.3, 0.5]: the test data does not exercise the thresholds");
    }

    @Test
    void aZeroThresholdAlwaysWinsAndBadThresholdsAreNamed() {
        Sequential m = new Sequential(new Input(8), new Dense(3));
        m.compile(new SGD(0.1), SparseCategoricalCrossentropy.builder().fromLogits(true).build(), List.of());
        KerasModel model = KerasModel.of(m).setThresholds(1, 1, 0);
        for (Row r : model.transform(data()).select("prediction").collectAsList()) {
            assertEquals(2.0, r.getDouble(0));
        }
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                () -> KerasModel.of(m).setThresholds(0.5, 0.5).transform(data()));
        assertTrue(length.getMessage().contains("Received 2 thresholds, expected one per class: 3"),
                length.getMessage());
        IllegalArgumentException zeros = assertThrows(IllegalArgumentException.class,
                () -> KerasModel.of(m).setThresholds(0, 0, 1).transform(data()));
        assertTrue(zeros.getMessage().contains("at most one 0"), zeros.getMessage());

        Sequential regression = new Sequential(new Input(8), new Dense(1));
        regression.compile(new SGD(0.1), "mse", List.of());
        IllegalArgumentException notAClassifier = assertThrows(IllegalArgumentException.class,
                () -> KerasModel.of(regression).setThresholds(0.5, 0.5).transform(data()));
        assertTrue(notAClassifier.getMessage().contains("expected a classifier"), notAClassifier.getMessage());
    }

    @Test
    void theEstimatorsThresholdsGoToTheFittedModelAndAreSaved(@TempDir Path dir) throws Exception {
        Sequential m = new Sequential(new Input(8), new Dense(3));
        m.compile(new SGD(0.1), SparseCategoricalCrossentropy.builder().fromLogits(true).build(), List.of());
        KerasModel fitted = new KerasEstimator().setModel(m).setNumWorkers(2).setBatchSize(32).setEpochs(1)
                .setVerbose(0).setThresholds(0.2, 0.3, 0.5).fit(data());
        assertArrayEquals(new double[] {0.2, 0.3, 0.5}, fitted.getThresholds());
        fitted.write().save(dir.resolve("model").toString());
        assertArrayEquals(new double[] {0.2, 0.3, 0.5}, KerasModel.load(dir.resolve("model").toString())
                .getThresholds());
    }
}
