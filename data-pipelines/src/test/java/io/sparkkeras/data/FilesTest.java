package io.sparkkeras.data;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.Batch;
import io.sparkkeras.utils.BatchIterator;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fashion-MNIST IDX files, Arrow IPC files and streams, and Parquet through Spark. */
@Timeout(120)
class FilesTest {
    private BufferAllocator allocator;

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void tearDown() {
        assertEquals(0, allocator.getAllocatedMemory(), "Arrow memory leaked");
        allocator.close();
    }

    @Test
    void fashionMnistTestSplitMatchesTheRawBytes() throws IOException {
        Path dir = FashionMnist.DEFAULT_DIR;
        Assertions.assertTrue(Files.exists(FashionMnist.Split.TEST.images(dir)), "Fashion-MNIST not found: apt-get install dataset-fashion-mnist");
        byte[] raw;
        byte[] labels;
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(
                Files.newInputStream(FashionMnist.Split.TEST.images(dir))));
             DataInputStream lin = new DataInputStream(new GZIPInputStream(
                     Files.newInputStream(FashionMnist.Split.TEST.labels(dir))))) {
            in.skipNBytes(16);
            raw = in.readAllBytes();
            lin.skipNBytes(8);
            labels = lin.readAllBytes();
        }
        try (ArrowTable t = FashionMnist.load(allocator, FashionMnist.Split.TEST)) {
            assertEquals(10_000, t.rowCount());
            assertEquals(784, t.layout().featureSize());
            assertEquals(DType.INT32, t.layout().labelType());
            float[] x = t.featuresToArray();
            double[] y = t.labelsToArray();
            for (int i = 0; i < raw.length; i++) {
                assertEquals((raw[i] & 0xFF) / 255f, x[i]);
            }
            for (int i = 0; i < labels.length; i++) {
                assertEquals(labels[i], (int) y[i]);
            }
            try (ArrowDataset d = ArrowDataset.builder(t).batchSize(128).featureShape(28, 28, 1).shuffle(true)
                    .seed(1).allocator(allocator).build()) {
                assertEquals(79, d.numBatches());
                long n = 0;
                try (BatchIterator it = d.iterator(0)) {
                    while (it.hasNext()) {
                        try (Batch b = it.next()) {
                            assertEquals(Shape.of(b.size(), 28, 28, 1), b.inputs().get(0).shape());
                            n += b.size();
                        }
                    }
                }
                assertEquals(10_000, n);
            }
        }
    }

    @Test
    void idxFilesWithBadHeadersAreRejected(@TempDir Path dir) throws IOException {
        Path images = dir.resolve("img-idx3-ubyte.gz");
        Path labels = dir.resolve("lab-idx1-ubyte.gz");
        writeGz(images, new byte[] {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 127, (byte) 255, 1, 2, 3, 4, 5});
        writeGz(labels, new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 7, 9});
        try (ArrowTable t = FashionMnist.read(allocator, images, labels, false, 1)) {
            assertEquals(2, t.chunkCount());
            assertArrayEquals(new float[] {0, 127, 255, 1, 2, 3, 4, 5}, t.featuresToArray());
            assertArrayEquals(new double[] {7, 9}, t.labelsToArray());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FashionMnist.read(allocator, labels, labels, true, 8));
        assertTrue(e.getMessage().contains("starts with magic 0x801, expected 0x00000803"), e.getMessage());
        writeGz(labels, new byte[] {0, 0, 8, 1, 0, 0, 0, 3, 7, 9, 1});
        e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.read(allocator, images, labels, true, 8));
        assertTrue(e.getMessage().contains("has 2 images but") && e.getMessage().contains("has 3 labels"),
                e.getMessage());
        Path missing = dir.resolve("t10k-images-idx3-ubyte.gz");
        e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.read(allocator, missing, labels, true, 8));
        assertTrue(e.getMessage().contains(missing + " not found")
                && e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    }

    private static void writeGz(Path p, byte[] bytes) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(bytes);
        }
    }

    private ArrowTable sample(int rows, int d) {
        float[] x = new float[rows * d];
        int[] y = new int[rows];
        for (int i = 0; i < x.length; i++) {
            x[i] = i * 0.5f - 3;
        }
        for (int i = 0; i < rows; i++) {
            y[i] = i % 10;
        }
        return ArrowTable.fromArrays(allocator, x, d, y, 33);
    }

    @Test
    void ipcFileAndStreamRoundTrip(@TempDir Path dir) {
        Path file = dir.resolve("data.arrow");
        try (ArrowTable t = sample(200, 6)) {
            ArrowIpc.writeFile(t, file);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ArrowIpc.writeStream(t, bytes);
            // The table is untouched by writing.
            assertEquals(200, t.rowCount());
            float[] x = t.featuresToArray();
            double[] y = t.labelsToArray();
            try (ArrowSource fs = ArrowIpc.file(file, allocator)) {
                assertEquals(200, fs.rowCount());
                assertEquals(t.layout(), fs.layout());
                try (ArrowTable back = ArrowTable.copyOf(allocator, fs, 64)) {
                    assertArrayEquals(x, back.featuresToArray());
                    assertArrayEquals(y, back.labelsToArray());
                }
                // Batches straight from the file, through a shuffle buffer, twice (two passes).
                try (ArrowDataset d = ArrowDataset.builder(fs).batchSize(32).shuffle(true).seed(4)
                        .shuffleBufferRows(50).stepsPerEpoch(10).allocator(allocator).build()) {
                    Set<Integer> seen = new HashSet<>();
                    int n = 0;
                    try (BatchIterator it = d.iterator(0)) {
                        while (it.hasNext()) {
                            try (Batch b = it.next()) {
                                float[] f = b.inputs().get(0).toFloatArray();
                                for (int r = 0; r < b.size(); r++) {
                                    int row = Math.round((f[r * 6] + 3) / 0.5f) / 6;
                                    seen.add(row);
                                    assertEquals(row % 10, b.targets().toIntArray()[r]);
                                    n++;
                                }
                            }
                        }
                    }
                    assertEquals(320, n);
                    // 1.6 passes: a few rows of the first pass may still sit in the 50-row buffer.
                    assertTrue(seen.size() >= 190, "rows seen: " + seen.size());
                }
            }
            byte[] stream = bytes.toByteArray();
            try (ArrowSource ss = ArrowIpc.stream(() -> new ByteArrayInputStream(stream), allocator)) {
                assertEquals(-1, ss.rowCount());
                try (ArrowTable back = ArrowTable.copyOf(allocator, ss, 1000)) {
                    assertEquals(1, back.chunkCount());
                    assertArrayEquals(x, back.featuresToArray());
                    assertArrayEquals(y, back.labelsToArray());
                }
                try (ArrowDataset d = ArrowDataset.builder(ss).batchSize(64).allocator(allocator).build()) {
                    assertEquals(-1, d.numBatches());
                    int batches = 0;
                    try (BatchIterator it = d.iterator(0)) {
                        while (it.hasNext()) {
                            it.next().close();
                            batches++;
                        }
                    }
                    assertEquals(4, batches);
                }
            }
        }
    }

    @Test
    void ipcFileWithoutTheLayoutIsRejected(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("other.arrow");
        Schema schema = new Schema(List.of(new Field("pixels", FieldType.notNullable(new ArrowType.Int(32, true)),
                null)));
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             ArrowFileWriter w = new ArrowFileWriter(root, null, ch)) {
            ((IntVector) root.getVector(0)).allocateNew(1);
            root.setRowCount(1);
            w.start();
            w.writeBatch();
            w.end();
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArrowIpc.file(file, allocator));
        assertTrue(e.getMessage().contains("Column `features` not found in the Arrow schema, expected "
                + "FixedSizeList<float32>. Columns: [pixels]"), e.getMessage());
    }

    @Test
    void parquetThroughSpark(@TempDir Path dir) {
        StructType schema = new StructType().add("v", SQLDataTypes.VectorType()).add("label", DataTypes.LongType);
        List<Row> rows = new ArrayList<>();
        float[] expected = new float[300 * 3];
        for (int i = 0; i < 300; i++) {
            double[] v = {i, -i * 0.5, i % 7};
            rows.add(RowFactory.create(i % 3 == 0 ? Vectors.dense(v) : Vectors.dense(v).toSparse(), (long) i));
            for (int j = 0; j < 3; j++) {
                expected[i * 3 + j] = (float) v[j];
            }
        }
        String path = dir.resolve("train.parquet").toString();
        TestSpark.frame(rows, schema, 3).write().parquet(path);
        try (ArrowTable t = SparkTables.parquet(TestSpark.get(), path, ColumnSpec.features("v").label("label"),
                allocator)) {
            assertEquals(300, t.rowCount());
            // Parquet part files may come back in any order: compare as sets of rows keyed by label.
            float[] x = t.featuresToArray();
            double[] y = t.labelsToArray();
            for (int r = 0; r < 300; r++) {
                int i = (int) y[r];
                for (int j = 0; j < 3; j++) {
                    assertEquals(expected[i * 3 + j], x[r * 3 + j], "row " + i);
                }
            }
        }
        // The Parquet scan read in its tasks by prefetch threads (streamed partitions): every row arrives.
        org.apache.spark.sql.Dataset<Row> parquet = TestSpark.get().read().parquet(path);
        StructType ps = parquet.schema();
        ColumnSpec spec = ColumnSpec.features("v").label("label");
        long rowsRead = parquet.queryExecution().toRdd().toJavaRDD().mapPartitions(
                (java.util.Iterator<org.apache.spark.sql.catalyst.InternalRow> it) -> {
                    long n = 0;
                    try (RootAllocator a = new RootAllocator();
                         ArrowDataset data = ArrowDataset.builder(PartitionReader.ofInternalRows(ps, it, spec)
                                 .stream(a, 10)).batchSize(25).prefetch(2).allocator(a).build();
                         BatchIterator batches = data.iterator(0)) {
                        while (batches.hasNext()) {
                            try (Batch b = batches.next()) {
                                n += b.size();
                            }
                        }
                    }
                    return List.of(n).iterator();
                }).reduce(Long::sum);
        assertEquals(300, rowsRead);
    }
}
