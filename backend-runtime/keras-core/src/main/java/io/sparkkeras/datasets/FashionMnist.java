package io.sparkkeras.datasets;

import io.sparkkeras.utils.NdArray;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST, as Keras's {@code keras.datasets.fashion_mnist.load_data()}: 60,000 training and 10,000 test
 * images of 28x28 grey pixels (uint8, 0-255) with labels 0-9. Nothing is downloaded: the files come from the Debian
 * package {@code dataset-fashion-mnist} ({@code /usr/share/datasets/fashion-mnist}) or a directory you name.
 *
 * <pre>{@code
 * FashionMnist.Data d = FashionMnist.loadData();
 * NdArray xTrain = FashionMnist.scaled(d.xTrain());   // float32 in [0, 1], shape (60000, 28, 28)
 * }</pre>
 */
public final class FashionMnist {
    /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private static final int IMAGES_MAGIC = 0x803;
    private static final int LABELS_MAGIC = 0x801;

    private FashionMnist() {
    }

    /**
     * The four arrays of {@code load_data()}.
     *
     * @param xTrain uint8 images, shape (n, 28, 28)
     * @param yTrain int32 labels, shape (n,)
     */
    public record Data(NdArray xTrain, NdArray yTrain, NdArray xTest, NdArray yTest) {
    }

    /** Everything, from {@link #DEFAULT_DIR}. */
    public static Data loadData() throws IOException {
        return loadData(DEFAULT_DIR, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * @param dir        folder with {@code train-images-idx3-ubyte.gz} and the three other files
     * @param trainLimit at most this many training samples (the first ones)
     * @param testLimit  at most this many test samples
     */
    public static Data loadData(Path dir, int trainLimit, int testLimit) throws IOException {
        return new Data(images(dir.resolve("train-images-idx3-ubyte.gz"), trainLimit),
                labels(dir.resolve("train-labels-idx1-ubyte.gz"), trainLimit),
                images(dir.resolve("t10k-images-idx3-ubyte.gz"), testLimit),
                labels(dir.resolve("t10k-labels-idx1-ubyte.gz"), testLimit));
    }

    /** uint8 pixels as float32 divided by 255. */
    public static NdArray scaled(NdArray images) {
        NdArray out = NdArray.zeros(io.sparkkeras.backend.DType.FLOAT32, images.shape());
        ByteBuffer src = images.buffer();
        ByteBuffer dst = out.buffer();
        int n = Math.toIntExact(images.size());
        for (int i = 0; i < n; i++) {
            dst.putFloat((src.get(i) & 0xFF) / 255f);
        }
        return out;
    }

    /** Reads an IDX image file (gzipped or not). */
    public static NdArray images(Path file, int limit) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new IOException(file + " is not an IDX image file: magic number 0x" + Integer.toHexString(magic)
                        + ", expected 0x803");
            }
            int n = Math.min(limit, in.readInt());
            int rows = in.readInt();
            int cols = in.readInt();
            NdArray out = NdArray.zeros(io.sparkkeras.backend.DType.UINT8, io.sparkkeras.backend.Shape.of(n, rows, cols));
            byte[] buf = new byte[rows * cols];
            ByteBuffer dst = out.buffer();
            for (int i = 0; i < n; i++) {
                readFully(in, buf, file, i);
                dst.put(buf);
            }
            return out;
        }
    }

    /** Reads an IDX label file (gzipped or not) as int32. */
    public static NdArray labels(Path file, int limit) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) {
                throw new IOException(file + " is not an IDX label file: magic number 0x" + Integer.toHexString(magic)
                        + ", expected 0x801");
            }
            int n = Math.min(limit, in.readInt());
            byte[] raw = new byte[n];
            readFully(in, raw, file, 0);
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = raw[i] & 0xFF;
            }
            return NdArray.of(y);
        }
    }

    private static void readFully(DataInputStream in, byte[] buf, Path file, int sample) throws IOException {
        try {
            in.readFully(buf);
        } catch (java.io.EOFException e) {
            throw new IOException(file + " is truncated at sample " + sample, e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw;
        try {
            raw = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new IOException("Fashion-MNIST file " + file + " not found. Install it with "
                    + "`apt-get install dataset-fashion-mnist` or pass the folder that holds it", e);
        }
        InputStream in = new BufferedInputStream(raw, 1 << 16);
        if (file.toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new DataInputStream(in);
    }
}
