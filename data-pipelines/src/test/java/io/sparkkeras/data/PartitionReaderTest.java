package io.sparkkeras.data;

import io.sparkkeras.backend.DType;
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
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every supported column type, read in real Spark tasks, round-trips exactly; the allocator ends at zero. */
@Timeout(120)
class PartitionReaderTest {
    private static final int ROWS = 300;
    private static final int D = 13;
    private static final float[] SPECIAL = {0f, -0f, Float.MIN_VALUE, -Float.MIN_NORMAL, Float.MAX_VALUE,
            -Float.MAX_VALUE, 1e-30f, 0.1f};

    private static float[][] floats(long seed) {
        Random r = new Random(seed);
        float[][] x = new float[ROWS][D];
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < D; j++) {
                x[i][j] = (i + j) % 11 == 0 ? SPECIAL[(i + j) % SPECIAL.length] : (float) r.nextGaussian() * 100;
            }
        }
        return x;
    }

    private static float[] flat(float[][] x) {
        float[] r = new float[x.length * x[0].length];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, r, i * x[0].length, x[0].length);
        }
        return r;
    }

    private static StructType schema(DataType features, DataType label) {
        return new StructType().add("features", features, true).add("label", label, true);
    }

    private static void checkAllocators(List<TestSpark.PartitionResult> parts) {
        assertEquals(3, parts.size());
        for (TestSpark.PartitionResult p : parts) {
            assertEquals(0, p.allocatedAfterClose, "partition " + p.partition + " leaked Arrow memory");
        }
    }

    @Test
    void arrayOfFloatWithIntLabel() {
        float[][] x = floats(1);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            rows.add(RowFactory.create(boxed(x[i]), i % 10));
        }
        Dataset<Row> df = TestSpark.frame(rows, schema(DataTypes.createArrayType(DataTypes.FloatType),
                DataTypes.IntegerType), 3);
        ColumnSpec spec = ColumnSpec.features("features").label("label");
        List<TestSpark.PartitionResult> parts = TestSpark.readInTasks(df, spec);
        checkAllocators(parts);
        assertEquals("int32", parts.get(0).labelType);
        assertArrayEquals(flat(x), TestSpark.features(parts));
        double[] labels = TestSpark.labels(parts);
        for (int i = 0; i < ROWS; i++) {
            assertEquals(i % 10, labels[i]);
        }
        // The public Row path gives the same values.
        List<TestSpark.PartitionResult> viaRows = TestSpark.readRowsInTasks(df, spec);
        checkAllocators(viaRows);
        assertArrayEquals(flat(x), TestSpark.features(viaRows));
        assertArrayEquals(labels, TestSpark.labels(viaRows));
    }

    @Test
    void arrayOfDoubleWithLongLabel() {
        float[][] x = floats(2);
        List<Row> rows = new ArrayList<>();
        double[] extra = new double[ROWS];
        for (int i = 0; i < ROWS; i++) {
            Double[] d = new Double[D];
            for (int j = 0; j < D; j++) {
                d[j] = (double) x[i][j];
            }
            // One value per row that float32 cannot hold exactly: it must come out as Java's (float) cast.
            extra[i] = Math.PI * i;
            d[D - 1] = extra[i];
            x[i][D - 1] = (float) extra[i];
            rows.add(RowFactory.create(d, (long) i * 7));
        }
        Dataset<Row> df = TestSpark.frame(rows, schema(DataTypes.createArrayType(DataTypes.DoubleType),
                DataTypes.LongType), 3);
        List<TestSpark.PartitionResult> parts = TestSpark.readInTasks(df,
                ColumnSpec.features("features").label("label"));
        checkAllocators(parts);
        assertArrayEquals(flat(x), TestSpark.features(parts));
        double[] labels = TestSpark.labels(parts);
        for (int i = 0; i < ROWS; i++) {
            assertEquals(i * 7, labels[i]);
        }
    }

    @Test
    void denseAndSparseVectorsWithDoubleLabel() {
        float[][] x = floats(3);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            double[] d = new double[D];
            for (int j = 0; j < D; j++) {
                d[j] = x[i][j];
            }
            if (i % 2 == 0) {
                rows.add(RowFactory.create(Vectors.dense(d), i * 0.25));
            } else {
                // Sparse: keep every third value, zero the rest.
                List<Integer> idx = new ArrayList<>();
                for (int j = 0; j < D; j++) {
                    if (j % 3 == 0) {
                        idx.add(j);
                    } else {
                        x[i][j] = 0f;
                    }
                }
                int[] indices = idx.stream().mapToInt(Integer::intValue).toArray();
                double[] values = new double[indices.length];
                for (int k = 0; k < indices.length; k++) {
                    values[k] = x[i][indices[k]];
                }
                rows.add(RowFactory.create(Vectors.sparse(D, indices, values), i * 0.25));
            }
        }
        Dataset<Row> df = TestSpark.frame(rows, schema(SQLDataTypes.VectorType(), DataTypes.DoubleType), 3);
        ColumnSpec spec = ColumnSpec.features("features").label("label");
        List<TestSpark.PartitionResult> parts = TestSpark.readInTasks(df, spec);
        checkAllocators(parts);
        assertEquals("float32", parts.get(0).labelType);
        assertArrayEquals(flat(x), TestSpark.features(parts));
        double[] labels = TestSpark.labels(parts);
        for (int i = 0; i < ROWS; i++) {
            assertEquals(i * 0.25, labels[i]);
        }
        List<TestSpark.PartitionResult> viaRows = TestSpark.readRowsInTasks(df, spec);
        checkAllocators(viaRows);
        assertArrayEquals(flat(x), TestSpark.features(viaRows));
    }

    @Test
    void numericScalarColumnsWithFloatLabel() {
        StructType schema = new StructType()
                .add("b", DataTypes.ByteType).add("s", DataTypes.ShortType).add("i", DataTypes.IntegerType)
                .add("l", DataTypes.LongType).add("f", DataTypes.FloatType).add("d", DataTypes.DoubleType)
                .add("y", DataTypes.FloatType);
        List<Row> rows = new ArrayList<>();
        float[] expected = new float[ROWS * 6];
        for (int i = 0; i < ROWS; i++) {
            byte b = (byte) (i - 128);
            short s = (short) (i * 100 - 20000);
            int n = i * 1000 - 77;
            long l = (long) i << 20;
            float f = i / 3f;
            double d = i * 0.5;
            rows.add(RowFactory.create(b, s, n, l, f, d, i / 7f));
            float[] e = {b, s, n, l, f, (float) d};
            System.arraycopy(e, 0, expected, i * 6, 6);
        }
        Dataset<Row> df = TestSpark.frame(rows, schema, 3);
        List<TestSpark.PartitionResult> parts = TestSpark.readInTasks(df,
                ColumnSpec.features("b", "s", "i", "l", "f", "d").label("y"));
        checkAllocators(parts);
        assertEquals(6, parts.get(0).featureSize);
        assertArrayEquals(expected, TestSpark.features(parts));
        double[] labels = TestSpark.labels(parts);
        for (int i = 0; i < ROWS; i++) {
            assertEquals(i / 7f, (float) labels[i]);
        }
    }

    @Test
    void sampleWeightsFollowTheirRows() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            rows.add(RowFactory.create(new Float[] {(float) i, 1f}, i % 10, i * 0.5));
        }
        StructType schema = new StructType().add("x", DataTypes.createArrayType(DataTypes.FloatType))
                .add("y", DataTypes.IntegerType).add("w", DataTypes.DoubleType);
        List<TestSpark.PartitionResult> parts = TestSpark.readInTasks(TestSpark.frame(rows, schema, 3),
                ColumnSpec.features("x").label("y").sampleWeight("w"));
        checkAllocators(parts);
        int at = 0;
        for (TestSpark.PartitionResult p : parts) {
            for (int r = 0; r < p.weights.length; r++, at++) {
                assertEquals((float) (at * 0.5), p.weights[r]);
                assertEquals(at, p.features[2 * r]);
            }
        }
        assertEquals(ROWS, at);
    }

    @Test
    void floatLabelAsInt32AndIntLabelAsFloat32() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            rows.add(RowFactory.create(new Float[] {(float) i}, (double) (i % 10), (short) i));
        }
        StructType schema = new StructType().add("x", DataTypes.createArrayType(DataTypes.FloatType))
                .add("yd", DataTypes.DoubleType).add("ys", DataTypes.ShortType);
        Dataset<Row> df = TestSpark.frame(rows, schema, 3);
        List<TestSpark.PartitionResult> asInt = TestSpark.readInTasks(df,
                ColumnSpec.features("x").label("yd").labelType(DType.INT32));
        checkAllocators(asInt);
        assertEquals("int32", asInt.get(0).labelType);
        List<TestSpark.PartitionResult> asFloat = TestSpark.readInTasks(df,
                ColumnSpec.features("x").label("ys").labelType(DType.FLOAT32));
        assertEquals("float32", asFloat.get(0).labelType);
        double[] a = TestSpark.labels(asInt);
        double[] b = TestSpark.labels(asFloat);
        for (int i = 0; i < ROWS; i++) {
            assertEquals(i % 10, a[i]);
            assertEquals(i, b[i]);
        }
    }

    @Test
    void collectAndNoLabelOnTheDriver() {
        float[][] x = floats(4);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            rows.add(RowFactory.create(boxed(x[i]), i));
        }
        Dataset<Row> df = TestSpark.frame(rows, schema(DataTypes.createArrayType(DataTypes.FloatType),
                DataTypes.IntegerType), 3);
        try (org.apache.arrow.memory.RootAllocator allocator = new org.apache.arrow.memory.RootAllocator()) {
            try (ArrowTable t = SparkTables.collect(df, ColumnSpec.features("features"), allocator, 64)) {
                assertEquals(ROWS, t.rowCount());
                assertEquals(false, t.layout().hasLabel());
                assertArrayEquals(flat(x), t.featuresToArray());
            }
            assertEquals(0, allocator.getAllocatedMemory());
        }
    }

    @Test
    void aPartitionStreamedIntoBatchesForPrediction() {
        float[][] x = floats(5);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            rows.add(RowFactory.create(boxed(x[i]), i));
        }
        Dataset<Row> df = TestSpark.frame(rows, schema(DataTypes.createArrayType(DataTypes.FloatType),
                DataTypes.IntegerType), 3);
        StructType schema = df.schema();
        ColumnSpec spec = ColumnSpec.features("features");
        // In each task: rows -> Arrow chunks of 16 -> prefetched batches of 32, read once; the allocator ends at 0.
        List<float[]> parts = df.queryExecution().toRdd().toJavaRDD().mapPartitions(
                (java.util.Iterator<org.apache.spark.sql.catalyst.InternalRow> it) -> {
                    PartitionReader reader = PartitionReader.ofInternalRows(schema, it, spec);
                    float[] out;
                    try (org.apache.arrow.memory.RootAllocator allocator = new org.apache.arrow.memory.RootAllocator()) {
                        ArrowSource source = reader.stream(allocator, 16);
                        List<Float> values = new ArrayList<>();
                        try (ArrowDataset data = ArrowDataset.builder(source).batchSize(32).allocator(allocator)
                                .build();
                             io.sparkkeras.utils.BatchIterator batches = data.iterator(0)) {
                            while (batches.hasNext()) {
                                try (io.sparkkeras.utils.Batch b = batches.next()) {
                                    for (float v : b.inputs().get(0).toFloatArray()) {
                                        values.add(v);
                                    }
                                }
                            }
                            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(
                                    IllegalStateException.class, source::open);
                            if (!e.getMessage().contains("can be read only once")) {
                                throw e;
                            }
                        }
                        if (allocator.getAllocatedMemory() != 0) {
                            throw new IllegalStateException("leak: " + allocator.getAllocatedMemory());
                        }
                        out = new float[values.size()];
                        for (int i = 0; i < out.length; i++) {
                            out[i] = values.get(i);
                        }
                    }
                    return List.of(out).iterator();
                }).collect();
        float[] all = new float[ROWS * D];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        assertArrayEquals(flat(x), all);
    }

    static Float[] boxed(float[] v) {
        Float[] r = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[i];
        }
        return r;
    }
}
