package io.sparkkeras.data;

import io.sparkkeras.backend.DType;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST (and MNIST) from IDX files, gzipped or not, as an {@link ArrowTable}: 784 float32 features per image
 * (pixels scaled to [0, 1] unless asked otherwise) and an int32 label. The Debian package
 * {@code dataset-fashion-mnist} installs the files in {@link #DEFAULT_DIR}.
 *
 * <pre>{@code
 * try (ArrowTable train = FashionMnist.load(allocator, FashionMnist.Split.TRAIN)) {
 *     train.rowCount();   // 60000
 * }
 * }</pre>
 */
public final class FashionMnist {
    /** Where {@code dataset-fashion-mnist} puts the files. */
    public static final Path DEFAULT_DIR = Paths.get("/usr/share/datasets/fashion-mnist");

    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    /** The two splits and their file name prefixes. */
    public enum Split {
        TRAIN("train"), TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        public Path images(Path dir) {
            return dir.resolve(prefix + "-images-idx3-ubyte.gz");
        }

        public Path labels(Path dir) {
            return dir.resolve(prefix + "-labels-idx1-ubyte.gz");
        }
    }

    private FashionMnist() {
    }

    /** A split from {@link #DEFAULT_DIR}, pixels scaled to [0, 1]. */
    public static ArrowTable load(BufferAllocator allocator, Split split) {
        return load(allocator, DEFAULT_DIR, split, true, ArrowTable.DEFAULT_CHUNK_ROWS);
    }

    /** A split from {@code dir}. */
    public static ArrowTable load(BufferAllocator allocator, Path dir, Split split, boolean scale, int chunkRows) {
        return read(allocator, split.images(dir), split.labels(dir), scale, chunkRows);
    }

    /**
     * Images and labels from two IDX files (gzipped when the name ends in {@code .gz}).
     *
     * @param scale divide pixels by 255; else pixel values 0..255 as floats
     * @throws IllegalArgumentException if a file is missing, is not IDX of the expected kind, or the counts differ
     * @throws UncheckedIOException     if a file cannot be read
     */
    public static ArrowTable read(BufferAllocator allocator, Path images, Path labels, boolean scale, int chunkRows) {
        try (DataInputStream img = open(images); DataInputStream lab = open(labels)) {
            int magic = img.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new IllegalArgumentException("File " + images + " starts with magic 0x"
                        + Integer.toHexString(magic) + ", expected 0x00000803 (IDX, unsigned bytes, 3 dimensions)");
            }
            int n = img.readInt();
            int rows = img.readInt();
            int cols = img.readInt();
            int labelMagic = lab.readInt();
            if (labelMagic != LABELS_MAGIC) {
                throw new IllegalArgumentException("File " + labels + " starts with magic 0x"
                        + Integer.toHexString(labelMagic) + ", expected 0x00000801 (IDX, unsigned bytes, 1 dimension)");
            }
            int nl = lab.readInt();
            if (nl != n) {
                throw new IllegalArgumentException("File " + images + " has " + n + " images but " + labels + " has "
                        + nl + " labels; expected the same count");
            }
            int d = rows * cols;
            BatchLayout layout = new BatchLayout(d, DType.INT32);
            byte[] pixels = new byte[d];
            byte[] labelBytes = new byte[Math.min(n, chunkRows)];
            // Pixel value → float, as Keras's x / 255: one table lookup per pixel.
            int[] bits = new int[256];
            for (int p = 0; p < 256; p++) {
                bits[p] = Float.floatToRawIntBits(scale ? p / 255f : p);
            }
            int[] done = {0};
            return ArrowTable.load(allocator, layout, chunkRows, (root, maxRows) -> {
                int count = Math.min(maxRows, n - done[0]);
                try {
                    long f = layout.featuresAddress(root);
                    long l = layout.labelAddress(root);
                    lab.readFully(labelBytes, 0, count);
                    for (int i = 0; i < count; i++) {
                        img.readFully(pixels);
                        long row = f + 4L * d * i;
                        for (int j = 0; j < d; j++) {
                            MemoryUtil.putInt(row + 4L * j, bits[pixels[j] & 0xFF]);
                        }
                        MemoryUtil.putInt(l + 4L * i, labelBytes[i] & 0xFF);
                    }
                } catch (EOFException e) {
                    throw new IllegalArgumentException("File " + images + " or " + labels + " ends before "
                            + n + " samples (at sample " + done[0] + ")", e);
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot read " + images + " / " + labels, e);
                }
                done[0] += count;
                root.setRowCount(count);
                return count;
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read IDX files " + images + " and " + labels, e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("IDX file " + file + " not found. For Fashion-MNIST, install it with "
                    + "`apt-get install dataset-fashion-mnist` (files in " + DEFAULT_DIR + ") or pass the folder "
                    + "that holds it");
        }
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        if (file.getFileName().toString().endsWith(".gz")) {
            in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        return new DataInputStream(in);
    }
}
