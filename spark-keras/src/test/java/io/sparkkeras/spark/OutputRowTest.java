package io.sparkkeras.spark;

import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.catalyst.InternalRow;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The columns transform adds, built lazily, hold exactly what building them up front gives: the prediction alone
 * agrees with the full computation for every kind of model output, and the vectors read back as the full row.
 */
class OutputRowTest {
    private static final VectorUDT VECTOR = new VectorUDT();

    private static final OutputColumns[] KINDS = {
        new OutputColumns(true, false, null),      // softmax classifier from logits
        new OutputColumns(false, false, null),     // classifier with a softmax layer, or a regression
        new OutputColumns(true, true, null),       // sigmoid from logits (binary or multi-label)
        new OutputColumns(false, true, null),      // sigmoid layer
        new OutputColumns(true, false, new double[] {0.5, 0.2, 0.9}),
    };

    @Test
    void predictionAloneEqualsTheFullComputation() {
        Random r = new Random(7);
        for (OutputColumns c : KINDS) {
            for (int k : new int[] {1, 3}) {
                if (k == 1 && c.equals(KINDS[4])) {
                    continue;   // thresholds need one per class
                }
                for (int trial = 0; trial < 2000; trial++) {
                    float[] out = new float[2 * k];
                    for (int j = 0; j < out.length; j++) {
                        // Ties, tiny logits near 0 and saturated values are where a shortcut could differ.
                        out[j] = switch (trial % 5) {
                            case 0 -> (float) r.nextGaussian() * 5;
                            case 1 -> r.nextInt(3) - 1;
                            case 2 -> (float) (r.nextGaussian() * 1e-17);
                            case 3 -> new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                                0f}[r.nextInt(4)];
                            default -> r.nextFloat();
                        };
                    }
                    assertEquals(c.of(out, k, k).prediction(), c.prediction(out, k, k), "outputs "
                            + java.util.Arrays.toString(out) + ", k " + k);
                }
            }
        }
    }

    @Test
    void lazyVectorsReadAsTheFullRow() {
        OutputColumns c = KINDS[0];
        float[] out = {0.1f, 2.5f, -1f, 3f, 0f, 0f};
        OutputColumns.Row full = c.of(out, 3, 3);
        InternalRow row = new OutputRow(c, out, 3, 3, true, true, true);
        assertEquals(3, row.numFields());
        assertFalse(row.isNullAt(0) || row.isNullAt(1) || row.isNullAt(2));
        assertEquals(full.prediction(), row.getDouble(2));
        assertArrayEquals(full.raw(), VECTOR.deserialize(row.getStruct(0, 4)).toArray());
        assertArrayEquals(full.probability(), VECTOR.deserialize(row.getStruct(1, 4)).toArray());
        InternalRow copy = new OutputRow(c, out, 3, 3, true, true, true).copy();
        assertEquals(Vectors.dense(full.probability()), VECTOR.deserialize(copy.getStruct(1, 4)));
        assertEquals(full.prediction(), copy.getDouble(2));

        InternalRow written = new OutputRow(c, out, 3, 3, true, true, true);
        written.setNullAt(0);   // a write before the first read stays written
        assertTrue(written.isNullAt(0));
        assertArrayEquals(full.probability(), VECTOR.deserialize(written.getStruct(1, 4)).toArray());
        assertTrue(written.isNullAt(0));

        InternalRow onlyProbability = new OutputRow(c, out, 3, 3, false, true, false);
        assertEquals(1, onlyProbability.numFields());
        assertArrayEquals(full.probability(), VECTOR.deserialize(onlyProbability.getStruct(0, 4)).toArray());
    }
}
