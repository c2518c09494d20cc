package io.sparkkeras.data;

import io.sparkkeras.backend.DType;
import org.apache.arrow.memory.RootAllocator;
import org.apache.spark.SparkException;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every kind of bad input gives an error naming the column, the row and what was expected, or is skipped. */
@Timeout(120)
class BadInputTest {
    private static final StructType FLOATS = new StructType()
            .add("features", DataTypes.createArrayType(DataTypes.FloatType), true)
            .add("label", DataTypes.IntegerType, true);

    private static Row row(Float[] x, Integer y) {
        return RowFactory.create(x, y);
    }

    private static Float[] f(Float... v) {
        return v;
    }

    /** Reads {@code rows} through the public Row path (partition 4) and returns the error message. */
    private static String fail(StructType schema, List<Row> rows, ColumnSpec spec) {
        try (RootAllocator allocator = new RootAllocator()) {
            PartitionReader reader = PartitionReader.ofRows(schema, rows.iterator(), spec, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> reader.readAll(allocator, 16).close());
            assertEquals(0, allocator.getAllocatedMemory());
            return e.getMessage();
        }
    }

    private static void contains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "expected \"" + p + "\" in: " + message);
        }
    }

    private static String sparkFailure(Dataset<Row> df, ColumnSpec spec) {
        SparkException e = assertThrows(SparkException.class, () -> TestSpark.readInTasks(df, spec));
        Throwable t = e;
        while (t.getCause() != null && !(t instanceof IllegalArgumentException)) {
            t = t.getCause();
        }
        return t instanceof IllegalArgumentException ? t.getMessage() : e.getMessage();
    }

    @Test
    void nullRow() {
        List<Row> rows = new ArrayList<>(List.of(row(f(1f, 2f), 0), row(f(3f, 4f), 1)));
        rows.add(null);
        String m = fail(FLOATS, rows, ColumnSpec.features("features").label("label"));
        contains(m, "partition 4 at offset 2", "the row is null", "expected a row with columns [features]",
                "`label`", "BadRowPolicy.SKIP");
        // A null first row, before the feature size is known, too.
        List<Row> first = new ArrayList<>();
        first.add(null);
        contains(fail(FLOATS, first, ColumnSpec.features("features")), "offset 0", "the row is null");
    }

    @Test
    void nullValueAndNullElementInASparkTask() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add(row(i == 33 ? null : f(1f, (float) i), i));
        }
        String m = sparkFailure(TestSpark.frame(rows, FLOATS, 2), ColumnSpec.features("features").label("label"));
        // Row 33 is at offset 13 of partition 1 (20 rows per partition).
        contains(m, "partition 1 at offset 13", "column `features` is null", "expected a value");

        rows.set(33, row(f(1f, null), 33));
        m = sparkFailure(TestSpark.frame(rows, FLOATS, 2), ColumnSpec.features("features").label("label"));
        contains(m, "partition 1 at offset 13", "column `features` has a null at element 1",
                "expected 2 non-null numbers");

        rows.set(33, row(f(1f, 2f), null));
        m = sparkFailure(TestSpark.frame(rows, FLOATS, 2), ColumnSpec.features("features").label("label"));
        contains(m, "partition 1 at offset 13", "column `label` is null");
    }

    @Test
    void nanAndInfinityInEveryColumnKind() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            rows.add(row(f(1f, i == 17 ? Float.NaN : 2f), i));
        }
        String m = sparkFailure(TestSpark.frame(rows, FLOATS, 3), ColumnSpec.features("features").label("label"));
        contains(m, "partition 1 at offset 7", "column `features` element 1 is NaN", "expected a finite float32");

        StructType doubles = new StructType().add("x", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("y", DataTypes.DoubleType);
        m = fail(doubles, List.of(RowFactory.create(new Double[] {1.0, Double.POSITIVE_INFINITY}, 1.0)),
                ColumnSpec.features("x").label("y"));
        contains(m, "offset 0", "column `x` element 1 is Infinity");
        m = fail(doubles, List.of(RowFactory.create(new Double[] {1e300, 1.0}, 1.0)),
                ColumnSpec.features("x").label("y"));
        contains(m, "column `x` element 0 is 1.0E300", "finite float32");
        m = fail(doubles, List.of(RowFactory.create(new Double[] {1.0, 2.0}, Double.NaN)),
                ColumnSpec.features("x").label("y"));
        contains(m, "column `y` is NaN");

        StructType vectors = new StructType().add("v", SQLDataTypes.VectorType()).add("y", DataTypes.DoubleType);
        m = fail(vectors, List.of(RowFactory.create(Vectors.dense(1, 2), 0.0),
                RowFactory.create(Vectors.sparse(2, new int[] {1}, new double[] {Double.NaN}), 0.0)),
                ColumnSpec.features("v").label("y"));
        contains(m, "offset 1", "column `v` element 1 is NaN");

        StructType scalars = new StructType().add("a", DataTypes.DoubleType).add("b", DataTypes.FloatType);
        m = fail(scalars, List.of(RowFactory.create(1.0, Float.NEGATIVE_INFINITY)), ColumnSpec.features("a", "b"));
        contains(m, "column `b` is -Infinity");

        // checkFinite(false) lets them through.
        try (RootAllocator allocator = new RootAllocator();
             ArrowTable t = PartitionReader.ofRows(FLOATS, List.of(row(f(Float.NaN, 1f), 0)).iterator(),
                     ColumnSpec.features("features").checkFinite(false), 0).readAll(allocator, 4)) {
            assertTrue(Float.isNaN(t.featuresToArray()[0]));
        }
    }

    @Test
    void everyNonFiniteFloatIsFoundAtItsElementInUnsafeRows() {
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0xffc00001)};
        for (int n : new int[] {1, 6, 7}) {
            List<Row> rows = new ArrayList<>();
            for (float bad : specials) {
                for (int k = 0; k < n; k++) {
                    Float[] x = new Float[n];
                    for (int j = 0; j < n; j++) {
                        x[j] = j == k ? bad : (j % 2 == 0 ? Float.MAX_VALUE : -0f);
                    }
                    rows.add(row(x, k));
                }
            }
            rows.add(row(n == 1 ? f(Float.MIN_VALUE) : null, 0));
            // Spark's own UnsafeRows, read in this thread.
            List<org.apache.spark.sql.catalyst.InternalRow> unsafe = Arrays.asList(
                    TestSpark.frame(rows, FLOATS, 1).queryExecution().executedPlan().executeCollect());
            for (int i = 0; i < unsafe.size() - 1; i++) {
                int k = i % n;
                PartitionReader reader = PartitionReader.ofInternalRows(FLOATS, List.of(unsafe.get(i)).iterator(),
                        ColumnSpec.features("features").featureSize(n), 0);
                try (RootAllocator allocator = new RootAllocator()) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> reader.readAll(allocator, 4).close());
                    contains(e.getMessage(), "column `features` element " + k + " is ");
                }
            }
        }
    }

    @Test
    void featureArraysOfVaryingLength() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            rows.add(row(i == 25 ? f(1f, 2f, 3f) : f(1f, 2f), i));
        }
        String m = sparkFailure(TestSpark.frame(rows, FLOATS, 3), ColumnSpec.features("features").label("label"));
        contains(m, "partition 2 at offset 5", "column `features` has 3 values, expected 2 (the length of the first row)");
        m = fail(FLOATS, rows.subList(0, 2), ColumnSpec.features("features").featureSize(3));
        contains(m, "offset 0", "has 2 values, expected 3 (featureSize)");

        StructType vectors = new StructType().add("v", SQLDataTypes.VectorType());
        m = fail(vectors, List.of(RowFactory.create(Vectors.dense(1, 2)),
                RowFactory.create(Vectors.sparse(3, new int[] {0}, new double[] {1}))), ColumnSpec.features("v"));
        contains(m, "offset 1", "column `v` has 3 values, expected 2");
    }

    @Test
    void wrongTypesAndMissingColumnsFailBeforeReading() {
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType))
                .add("label", DataTypes.StringType).add("tags", DataTypes.createArrayType(DataTypes.StringType))
                .add("n", DataTypes.IntegerType);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PartitionReader.validateSchema(schema, ColumnSpec.features("features").label("label")));
        assertEquals("Column `label` has type string, expected a numeric label column (byte, short, int, long, "
                + "float or double)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PartitionReader.validateSchema(schema, ColumnSpec.features("pixels").label("n")));
        assertEquals("Column `pixels` (features) not found in the DataFrame. Columns: [features, label, tags, n]",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PartitionReader.validateSchema(schema, ColumnSpec.features("features").label("y")));
        contains(e.getMessage(), "Column `y` (label) not found");
        e = assertThrows(IllegalArgumentException.class,
                () -> PartitionReader.validateSchema(schema, ColumnSpec.features("tags")));
        contains(e.getMessage(), "Column `tags` has type array<string>, expected array<float>, array<double>, vector");
        e = assertThrows(IllegalArgumentException.class,
                () -> PartitionReader.validateSchema(schema, ColumnSpec.features("n", "features")));
        contains(e.getMessage(), "Column `features` has type array<float>; with several feature columns [n, features]");
        // Through a real DataFrame, on the driver.
        Dataset<Row> df = TestSpark.frame(List.of(RowFactory.create(new Float[] {1f}, "cat", new String[0], 1)),
                schema, 1);
        try (RootAllocator allocator = new RootAllocator()) {
            e = assertThrows(IllegalArgumentException.class, () -> SparkTables.collect(df,
                    ColumnSpec.features("features").label("label"), allocator, 8));
            contains(e.getMessage(), "Column `label` has type string");
        }
    }

    @Test
    void badSampleWeights() {
        StructType schema = new StructType().add("x", DataTypes.createArrayType(DataTypes.FloatType))
                .add("w", DataTypes.FloatType).add("s", DataTypes.StringType);
        ColumnSpec spec = ColumnSpec.features("x").sampleWeight("w");
        contains(fail(schema, List.of(RowFactory.create(f(1f), 1f, "a"), RowFactory.create(f(1f), null, "b")), spec),
                "offset 1", "column `w` is null");
        contains(fail(schema, List.of(RowFactory.create(f(1f), Float.NaN, "a")), spec), "offset 0",
                "column `w` is NaN, expected a finite sample weight >= 0");
        contains(fail(schema, List.of(RowFactory.create(f(1f), 0f, "a"), RowFactory.create(f(1f), -0.5f, "b")), spec),
                "offset 1", "column `w` is -0.5, expected a finite sample weight >= 0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PartitionReader.validateSchema(schema, ColumnSpec.features("x").sampleWeight("s")));
        contains(e.getMessage(), "Column `s` has type string, expected a numeric sample weight column");
    }

    @Test
    void labelsThatDoNotFitInt32() {
        StructType longs = new StructType().add("x", DataTypes.createArrayType(DataTypes.FloatType))
                .add("y", DataTypes.LongType);
        String m = fail(longs, List.of(RowFactory.create(f(1f), 3L), RowFactory.create(f(1f), 1L << 40)),
                ColumnSpec.features("x").label("y"));
        contains(m, "offset 1", "column `y` is 1.099511627776E12", "fits int32");
        StructType doubles = new StructType().add("x", DataTypes.createArrayType(DataTypes.FloatType))
                .add("y", DataTypes.DoubleType);
        m = fail(doubles, List.of(RowFactory.create(f(1f), 2.5)), ColumnSpec.features("x").label("y")
                .labelType(DType.INT32));
        contains(m, "column `y` is 2.5, expected an integral value", "labelType(DType.FLOAT32)");
    }

    @Test
    void skipPolicyDropsAndCountsBadRows() {
        List<Row> rows = new ArrayList<>();
        List<Float> expected = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            Row r;
            switch (i % 10) {
                case 3 -> r = row(null, i);
                case 5 -> r = row(f(1f, Float.POSITIVE_INFINITY), i);
                case 7 -> r = row(f(1f), i);
                case 8 -> r = row(f(1f, null), i);
                case 9 -> r = row(f(1f, 2f), null);
                default -> {
                    r = row(f((float) i, (float) -i), i);
                    expected.add((float) i);
                    expected.add((float) -i);
                }
            }
            rows.add(r);
        }
        // Partition 0 starts with a good row; the feature size comes from it.
        ColumnSpec spec = ColumnSpec.features("features").label("label").badRowPolicy(BadRowPolicy.SKIP);
        List<TestSpark.PartitionResult> parts = TestSpark.readInTasks(TestSpark.frame(rows, FLOATS, 3), spec);
        long skipped = 0;
        for (TestSpark.PartitionResult p : parts) {
            skipped += p.skipped;
            assertEquals(0, p.allocatedAfterClose);
        }
        assertEquals(30, skipped);
        float[] want = new float[expected.size()];
        for (int i = 0; i < want.length; i++) {
            want[i] = expected.get(i);
        }
        assertArrayEquals(want, TestSpark.features(parts));

        // Bad rows before the first good one are skipped while the size is found.
        List<Row> leading = Arrays.asList(null, row(null, 1), row(f(1f, 2f, 3f), 2));
        try (RootAllocator allocator = new RootAllocator()) {
            PartitionReader reader = PartitionReader.ofRows(FLOATS, leading.iterator(), spec, 0);
            try (ArrowTable t = reader.readAll(allocator, 4)) {
                assertEquals(1, t.rowCount());
                assertEquals(3, t.layout().featureSize());
            }
            assertEquals(2, reader.skippedRows());
            assertEquals(3, reader.offset());
        }
    }

    @Test
    void anEmptyPartitionGivesAnEmptyTableAndAClearErrorForFixedSteps() {
        try (RootAllocator allocator = new RootAllocator()) {
            PartitionReader reader = PartitionReader.ofRows(FLOATS, java.util.Collections.emptyIterator(),
                    ColumnSpec.features("features").label("label"), 3);
            try (ArrowTable t = reader.readAll(allocator, 16)) {
                assertEquals(0, t.rowCount());
                try (ArrowDataset d = ArrowDataset.builder(t).batchSize(8).allocator(allocator).build();
                     io.sparkkeras.utils.BatchIterator it = d.iterator(0)) {
                    assertEquals(0, d.numBatches());
                    assertEquals(false, it.hasNext());
                }
                try (ArrowDataset d = ArrowDataset.builder(t).batchSize(8).stepsPerEpoch(5).allocator(allocator)
                        .build();
                     io.sparkkeras.utils.BatchIterator it = d.iterator(2)) {
                    IllegalStateException e = assertThrows(IllegalStateException.class, it::hasNext);
                    contains(e.getMessage(), "Rank 0 of 1 has no rows in its shard, but stepsPerEpoch=5",
                            "(epoch 2)");
                }
            }
            assertEquals(0, allocator.getAllocatedMemory());
        }
    }
}
