package io.sparkkeras.spark;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.SGD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One row at a time, as Spark ML's {@code ClassificationModel.predict(features)}, {@code predictProbability} and
 * {@code predictRaw}: the same numbers as the columns {@code transform} adds.
 */
@Tag("spark")
@Timeout(120)
class OneRowPredictTest {
    private static Vector features(Row r) {
        List<Float> f = r.getList(0);
        double[] v = new double[f.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = f.get(i);
        }
        return Vectors.dense(v);
    }

    private static void assertSameAsTransform(KerasModel model) {
        List<Row> rows = model.transform(TestSpark.frame(TestSpark.blobs(20, 8, 4), TestSpark.FLOATS, 2))
                .select("features", "rawPrediction", "probability", "prediction").collectAsList();
        for (Row r : rows) {
            Vector x = features(r);
            assertArrayEquals(((Vector) r.get(1)).toArray(), model.predictRaw(x).toArray(), 1e-6);
            assertArrayEquals(((Vector) r.get(2)).toArray(), model.predictProbability(x).toArray(), 1e-6);
            assertEquals(r.getDouble(3), model.predict(x));
        }
    }

    @Test
    void aSoftmaxClassifierGivesTransformsColumns() {
        Sequential m = new Sequential(new Input(8), new Dense(3));
        m.compile(new SGD(0.1), SparseCategoricalCrossentropy.builder().fromLogits(true).build(), List.of());
        KerasModel model = KerasModel.of(m);
        assertEquals(8, model.numFeatures());
        assertSameAsTransform(model);
        assertSameAsTransform(model.copy(new org.apache.spark.ml.param.ParamMap()).setThresholds(1, 0.2, 1));
    }

    @Test
    void aBinaryClassifierGivesSparksTwoColumnForm() {
        Sequential m = new Sequential(new Input(8), new Dense(1, "sigmoid"));
        m.compile(new SGD(0.1), "binary_crossentropy", List.of());
        KerasModel model = KerasModel.of(m);
        assertEquals(2, model.predictProbability(Vectors.zeros(8)).size());
        assertSameAsTransform(model);
    }

    @Test
    void badFeaturesAreNamed() {
        Sequential m = new Sequential(new Input(8), new Dense(3));
        m.compile(new SGD(0.1), SparseCategoricalCrossentropy.builder().fromLogits(true).build(), List.of());
        KerasModel model = KerasModel.of(m);
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> model.predict(Vectors.zeros(5)));
        assertTrue(size.getMessage().contains("size 5, expected 8"), size.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> model.predict(Vectors.sparse(8, new int[] {3}, new double[] {Double.NaN})));
        assertTrue(nan.getMessage().contains("NaN at index 3"), nan.getMessage());
        IllegalArgumentException thresholds = assertThrows(IllegalArgumentException.class,
                () -> model.copy(new org.apache.spark.ml.param.ParamMap()).setThresholds(0.5, 0.5)
                        .predict(Vectors.zeros(8)));
        assertTrue(thresholds.getMessage().contains("Received 2 thresholds, expected one per class: 3"),
                thresholds.getMessage());
    }
}
