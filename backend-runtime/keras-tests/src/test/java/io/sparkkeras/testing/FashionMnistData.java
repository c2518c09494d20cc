package io.sparkkeras.testing;

import io.sparkkeras.utils.NdArray;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Reads a slice of the Fashion-MNIST IDX files the Debian package installs, for tests. */
public final class FashionMnistData {
    public static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private FashionMnistData() {
    }

    /** Images scaled to [0, 1], shape (n, 28, 28). */
    public static NdArray images(String split, int limit) throws IOException {
        try (DataInputStream in = open(split + "-images-idx3-ubyte.gz")) {
            in.readInt();
            int n = Math.min(limit, in.readInt());
            int rows = in.readInt();
            int cols = in.readInt();
            byte[] raw = new byte[n * rows * cols];
            in.readFully(raw);
            float[] f = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                f[i] = (raw[i] & 0xFF) / 255f;
            }
            return NdArray.of(f, n, rows, cols);
        }
    }

    /** Labels 0..9 as int32, shape (n,). */
    public static NdArray labels(String split, int limit) throws IOException {
        try (DataInputStream in = open(split + "-labels-idx1-ubyte.gz")) {
            in.readInt();
            int n = Math.min(limit, in.readInt());
            byte[] raw = new byte[n];
            in.readFully(raw);
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = raw[i];
            }
            return NdArray.of(y);
        }
    }

    private static DataInputStream open(String file) throws IOException {
        InputStream raw = Files.newInputStream(DIR.resolve(file));
        return new DataInputStream(new java.io.BufferedInputStream(new GZIPInputStream(raw, 1 << 16)));
    }
}
