package io.sparkkeras.spark;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.Model;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.SGD;
import io.sparkkeras.utils.NdArray;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code handleInvalid}, as Spark ML's: rows with null, NaN or wrongly sized features fail the transform naming the
 * column and the row ({@code "error"}, the default), are left out of the output ({@code "skip"}), or stay in place
 * with null outputs ({@code "keep"}).
 */
@Tag("spark")
@Timeout(120)
class HandleInvalidTest {
    private static final StructType SCHEMA = new StructType()
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, true), true)
            .add("id", DataTypes.IntegerType, false);

    /** 300 good rows; bad ones among them (20 in a row: more than a batch of 16) and after them. */
    private static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        List<Row> good = TestSpark.blobs(300, 8, 23);
        for (int i = 0; i < good.size(); i++) {
            if (i == 40) {
                for (int b = 0; b < 20; b++) {
                    rows.add(RowFactory.create(null, -1));
                }
            }
            if (i % 37 == 5) {
                rows.add(RowFactory.create(new Float[] {1f, Float.NaN, 0f, 0f, 0f, 0f, 0f, 0f}, -1));
                rows.add(RowFactory.create(new Float[] {1f, 2f}, -1));
            }
            rows.add(RowFactory.create(good.get(i).get(0), i));
        }
        for (int b = 0; b < 5; b++) {
            rows.add(RowFactory.create(null, -1));   // a partition that ends in bad rows: a last batch of none
        }
        return rows;
    }

    private static Sequential model() {
        Sequential m = new Sequential(new Input(8), new Dense(3));
        m.compile(new SGD(0.1), SparseCategoricalCrossentropy.builder().fromLogits(true).build(), List.of());
        return m;
    }

    @Test
    void skipLeavesBadRowsOutAndScoresEveryGoodRowAsItself() {
        Dataset<Row> df = TestSpark.frame(rows(), SCHEMA, 2);
        KerasModel model = KerasModel.of(model()).setInferenceBatchSize(16).setHandleInvalid("skip");
        List<Row> out = model.transform(df).select("features", "id", "prediction").orderBy("id").collectAsList();
        assertEquals(300, out.size());
        float[] flat = new float[300 * 8];
        for (int i = 0; i < 300; i++) {
            assertEquals(i, out.get(i).getInt(1));
            List<Float> f = out.get(i).getList(0);
            for (int j = 0; j < 8; j++) {
                flat[i * 8 + j] = f.get(j);
            }
        }
        float[] logits;
        try (Model same = model.getModel()) {
            logits = same.predict(NdArray.of(flat, 300, 8), 64, 0).toFloatArray();
        }
        for (int i = 0; i < 300; i++) {
            int best = 0;
            for (int j = 1; j < 3; j++) {
                best = logits[i * 3 + j] > logits[i * 3 + best] ? j : best;
            }
            assertEquals(best, out.get(i).getDouble(2), 0.0, "row id " + i);
        }
    }

    @Test
    void keepKeepsEveryRowInPlaceWithNullOutputs() {
        List<Row> in = rows();
        Dataset<Row> df = TestSpark.frame(in, SCHEMA, 2);
        KerasModel model = KerasModel.of(model()).setInferenceBatchSize(16).setHandleInvalid("keep");
        Dataset<Row> scored = model.transform(df);
        assertTrue(scored.schema().apply("prediction").nullable() && scored.schema().apply("probability").nullable());
        assertFalse(KerasModel.of(model()).transform(df.filter("id >= 0")).schema().apply("prediction").nullable());
        assertTrue(new KerasEstimator().setModel(model()).setHandleInvalid("keep").transformSchema(
                new StructType().add(SCHEMA.fields()[0]).add("label", DataTypes.IntegerType, false))
                .apply("prediction").nullable(), "a Pipeline's schema check sees what the fitted model will give");

        List<Row> out = scored.select("id", "probability", "prediction").collectAsList();
        assertEquals(in.size(), out.size());
        float[] flat = new float[300 * 8];
        for (Row r : in) {
            int id = r.getInt(1);
            if (id >= 0) {
                List<Float> f = java.util.Arrays.asList((Float[]) r.get(0));
                for (int j = 0; j < 8; j++) {
                    flat[id * 8 + j] = f.get(j);
                }
            }
        }
        float[] logits;
        try (Model same = model.getModel()) {
            logits = same.predict(NdArray.of(flat, 300, 8), 64, 0).toFloatArray();
        }
        for (int i = 0; i < out.size(); i++) {
            Row r = out.get(i);
            int id = r.getInt(0);
            assertEquals(in.get(i).getInt(1), id, "row " + i + " moved");
            if (id < 0) {
                assertTrue(r.isNullAt(1) && r.isNullAt(2), "bad row " + i + " scored: " + r);
                continue;
            }
            int best = 0;
            for (int j = 1; j < 3; j++) {
                best = logits[id * 3 + j] > logits[id * 3 + best] ? j : best;
            }
            assertEquals(best, r.getDouble(2), 0.0, "row id " + id);
        }
        assertEquals(in.size() - 300, scored.filter("prediction IS NULL").count());
    }

    @Test
    void theEstimatorTrainsWithoutBadRowsAndItsModelSkipsThemToo() {
        List<Row> rows = new ArrayList<>();
        for (Row r : rows()) {
            rows.add(RowFactory.create(r.get(0), Math.max(0, r.getInt(1)) % 3));   // id -> a label in {0, 1, 2}
        }
        StructType schema = new StructType().add(SCHEMA.fields()[0]).add("label", DataTypes.IntegerType, false);
        Dataset<Row> df = TestSpark.frame(rows, schema, 2);
        KerasEstimator estimator = new KerasEstimator().setModel(model()).setNumWorkers(2).setBatchSize(16)
                .setEpochs(1).setVerbose(0);
        Exception e = assertThrows(Exception.class, () -> estimator.fit(df));
        assertTrue(TestSpark.messages(e).contains("column `features`"), TestSpark.messages(e));

        KerasModel fitted = estimator.setHandleInvalid("skip").fit(df);
        assertEquals(300, fitted.summary().rowsPerWorker().stream().mapToLong(Long::longValue).sum());
        assertEquals("skip", fitted.getHandleInvalid());
        assertEquals(300, fitted.transform(df).count());
    }

    @Test
    void badRowsLeftOutUnevenlyAreNamedAsWhyRowsSitOut() {
        // Two partitions of 128 rows, half of the first one bad: fit sees even partitions, the workers 64 and 128.
        List<Row> good = TestSpark.blobs(192, 8, 29);
        List<Row> rows = new ArrayList<>();
        for (int i = 0, g = 0; i < 256; i++) {
            Row r = i < 128 && i % 2 == 0 ? null : good.get(g++);
            rows.add(r == null ? RowFactory.create(null, 0) : RowFactory.create(r.get(0), r.getInt(1)));
        }
        StructType schema = new StructType().add(SCHEMA.fields()[0]).add("label", DataTypes.IntegerType, false);
        List<String> shown = new java.util.concurrent.CopyOnWriteArrayList<>();
        // "keep" trains as "skip" does (a bad row cannot be trained on); its model keeps them in transform.
        Dataset<Row> df = TestSpark.frame(rows, schema, 2);
        KerasModel fitted = new KerasEstimator().setModel(model()).setNumWorkers(2).setBatchSize(32).setEpochs(1)
                .setVerbose(1).setHandleInvalid("keep").progressTo(shown::add).fit(df);
        assertTrue(shown.get(0).startsWith("Warning: rows per worker [64, 128]: every worker trains on 2 steps x 32")
                && shown.get(0).contains("handleInvalid=\"keep\" left out bad rows unevenly (skipped per worker "
                + "[64, 0]): drop or fix them in the DataFrame first"), shown.get(0));
        assertEquals("keep", fitted.getHandleInvalid());
        assertEquals(64, fitted.transform(df).filter("prediction IS NULL").count());
    }

    @Test
    void errorNamesTheColumnAndTheRow() {
        Dataset<Row> df = TestSpark.frame(rows(), SCHEMA, 1);
        Exception e = assertThrows(Exception.class, () -> KerasModel.of(model()).transform(df).collectAsList());
        String m = TestSpark.messages(e);
        assertTrue(m.contains("column `features`") && m.contains("at offset 5"), m);
        assertThrows(IllegalArgumentException.class, () -> KerasModel.of(model()).setHandleInvalid("drop"));
    }
}
