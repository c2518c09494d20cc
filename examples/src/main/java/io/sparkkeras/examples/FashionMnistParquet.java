package io.sparkkeras.examples;

import io.sparkkeras.datasets.FashionMnist;
import io.sparkkeras.utils.NdArray;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes Fashion-MNIST from its IDX files as Parquet, the input of {@link FashionMnistJob}: {@code DIR/train} and
 * {@code DIR/test}, each one file of rows {@code features array<float>} (784 pixels scaled to [0, 1]) and
 * {@code label int} — the schema Spark reads back. Needs no Spark session, so it runs before any cluster exists.
 *
 * <pre>{@code
 * Path dir = FashionMnistParquet.write(FashionMnist.DEFAULT_DIR, Path.of("/tmp/fashion"), 12_000, 10_000);
 * Dataset<Row> train = spark.read().parquet(dir.resolve("train").toString());
 * }</pre>
 */
public final class FashionMnistParquet {
    /** The file schema: a required list of required floats, and a required int label. */
    static final MessageType SCHEMA = Types.buildMessage()
            .requiredList().requiredElement(PrimitiveTypeName.FLOAT).named("features")
            .required(PrimitiveTypeName.INT32).named("label")
            .named("fashion_mnist");

    private FashionMnistParquet() {
    }

    /**
     * Writes {@code out/train/part-00000.parquet} and {@code out/test/part-00000.parquet}, replacing earlier files.
     *
     * @param idxDir     the folder of the four IDX files ({@code dataset-fashion-mnist} puts them in
     *                   {@link FashionMnist#DEFAULT_DIR})
     * @param out        the folder to write into
     * @param trainLimit the first {@code trainLimit} training images (60,000 in all)
     * @param testLimit  the first {@code testLimit} test images (10,000 in all)
     * @return {@code out}
     */
    public static Path write(Path idxDir, Path out, int trainLimit, int testLimit) throws IOException {
        FashionMnist.Data d = FashionMnist.loadData(idxDir, trainLimit, testLimit);
        writeSplit(d.xTrain(), d.yTrain(), out.resolve("train"));
        writeSplit(d.xTest(), d.yTest(), out.resolve("test"));
        return out;
    }

    private static void writeSplit(NdArray images, NdArray labels, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("part-00000.parquet");
        int n = images.length();
        int d = Math.toIntExact(images.size() / Math.max(1, n));
        ByteBuffer px = images.buffer();
        int[] y = labels.toIntArray();
        Image image = new Image(new float[d]);
        try (ParquetWriter<Image> writer = new Builder(new org.apache.hadoop.fs.Path(file.toAbsolutePath().toUri()))
                .withConf(new Configuration())
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .build()) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    // Scaled as FashionMnist.scaled does, so the job and bin/fashion-mnist see the same inputs.
                    image.pixels[j] = (px.get(i * d + j) & 0xFF) / 255f;
                }
                image.label = y[i];
                writer.write(image);
            }
        }
    }

    /** The one reused row being written. */
    private static final class Image {
        final float[] pixels;
        int label;

        Image(float[] pixels) {
            this.pixels = pixels;
        }
    }

    /** Writes an {@link Image} straight to the record consumer: no per-pixel objects (47 million for the set). */
    private static final class ImageWriteSupport extends WriteSupport<Image> {
        private RecordConsumer out;

        @Override
        public WriteContext init(Configuration configuration) {
            return new WriteContext(SCHEMA, Map.of());
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.out = recordConsumer;
        }

        @Override
        public void write(Image image) {
            out.startMessage();
            out.startField("features", 0);
            out.startGroup();
            if (image.pixels.length > 0) {
                out.startField("list", 0);
                for (float v : image.pixels) {
                    out.startGroup();
                    out.startField("element", 0);
                    out.addFloat(v);
                    out.endField("element", 0);
                    out.endGroup();
                }
                out.endField("list", 0);
            }
            out.endGroup();
            out.endField("features", 0);
            out.startField("label", 1);
            out.addInteger(image.label);
            out.endField("label", 1);
            out.endMessage();
        }
    }

    private static final class Builder extends ParquetWriter.Builder<Image, Builder> {
        Builder(org.apache.hadoop.fs.Path file) {
            super(file);
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<Image> getWriteSupport(Configuration conf) {
            return new ImageWriteSupport();
        }
    }

    /**
     * {@code FashionMnistParquet OUT_DIR [TRAIN_LIMIT [TEST_LIMIT [IDX_DIR]]]}: writes the Parquet input of
     * {@link FashionMnistJob}.
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args[0].startsWith("-")) {
            System.err.println("Usage: FashionMnistParquet OUT_DIR [TRAIN_LIMIT [TEST_LIMIT [IDX_DIR]]]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        int trainLimit = args.length > 1 ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;
        int testLimit = args.length > 2 ? Integer.parseInt(args[2]) : Integer.MAX_VALUE;
        Path idx = args.length > 3 ? Path.of(args[3]) : FashionMnist.DEFAULT_DIR;
        write(idx, out, trainLimit, testLimit);
        System.out.println("wrote " + out.resolve("train") + " and " + out.resolve("test"));
    }
}
