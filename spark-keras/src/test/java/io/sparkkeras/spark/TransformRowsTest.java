package io.sparkkeras.spark;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.Model;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.utils.NdArray;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * transform keeps every input column of every row with that row's own prediction, over many batches (the rows it
 * holds for its output are reused from batch to batch) and whatever the next operator does with them.
 */
@Tag("spark")
@Timeout(120)
class TransformRowsTest {
    @Test
    void everyRowKeepsItsColumnsAndGetsItsOwnPrediction() {
        int n = 3000;
        List<Row> source = TestSpark.blobs(n, 8, 11);
        Dataset<Row> df = TestSpark.frame(source, TestSpark.FLOATS, 2);
        Sequential m = new Sequential(new Input(8), new Dense(3));
        m.compile(new Adam(1e-2), SparseCategoricalCrossentropy.builder().fromLogits(true).build(), List.of());
        KerasModel model = KerasModel.of(m).setInferenceBatchSize(256);

        float[] flat = new float[n * 8];
        for (int i = 0; i < n; i++) {
            Object[] f = (Object[]) source.get(i).get(0);
            for (int j = 0; j < 8; j++) {
                flat[i * 8 + j] = (Float) f[j];
            }
        }
        float[] expected;
        try (Model same = model.getModel()) {
            expected = same.predict(NdArray.of(flat, n, 8), 512).toFloatArray();
        }

        // collect, and a sort that buffers rows before it emits them.
        List<Row> collected = model.transform(df).collectAsList();
        List<Row> sorted = model.transform(df).orderBy("label").collectAsList();
        assertEquals(n, collected.size());
        assertEquals(n, sorted.size());
        for (int i = 0; i < n; i++) {
            check(collected.get(i), source.get(i), expected, i);
        }
        java.util.Map<List<Object>, Integer> byFeatures = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            byFeatures.put(java.util.Arrays.asList((Object[]) source.get(i).get(0)), i);
        }
        for (int k = 0; k < n; k++) {
            Row out = sorted.get(k);
            if (k > 0) {
                assertTrue(sorted.get(k - 1).getInt(1) <= out.getInt(1), "sorted by label");
            }
            Integer i = byFeatures.get(out.getList(0));
            assertNotNull(i, "a transformed row's features are not among the input rows: " + out.getList(0));
            check(out, source.get(i), expected, i);
        }
        m.close();
    }

    private static void check(Row out, Row in, float[] expected, int i) {
        assertEquals(java.util.Arrays.asList((Object[]) in.get(0)), out.getList(0), "features of row " + i);
        assertEquals(in.getInt(1), out.getInt(1), "label of row " + i);
        Vector p = out.getAs("probability");
        Vector raw = out.getAs("rawPrediction");
        int best = 0;
        double sum = 0;
        for (int j = 0; j < 3; j++) {
            if (expected[i * 3 + j] > expected[i * 3 + best]) {
                best = j;
            }
            // The model was trained on logits: rawPrediction holds them, probability their softmax.
            assertEquals(expected[i * 3 + j], raw.apply(j), 1e-6, "rawPrediction of row " + i);
            sum += Math.exp(expected[i * 3 + j]);
        }
        for (int j = 0; j < 3; j++) {
            assertEquals(Math.exp(expected[i * 3 + j]) / sum, p.apply(j), 1e-5, "probability of row " + i);
        }
        assertEquals(best, out.<Double>getAs("prediction"), 0.0, "prediction of row " + i);
        assertEquals(3, p.size());
    }
}
