package io.sparkkeras.callbacks;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.NdArray;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Spark Keras's small weights file ({@code *.weights.bin}): a model's {@code getWeights()} in order, with no HDF5
 * and no optimizer state. {@link ModelCheckpoint} writes it when its filepath ends in {@code .weights.bin}; the Keras
 * formats ({@code .keras}, {@code .weights.h5}) are written by {@code Model.save} and {@code Model.saveWeights}.
 *
 * <p>Layout (big-endian, as {@link DataOutputStream} writes):
 * <pre>
 * magic    4 bytes  "SKWT"
 * version  int      1
 * count    int      number of arrays
 * count times:
 *   dtype  UTF      Keras dtype name ("float32", "int64", ...)
 *   rank   int
 *   dims   rank longs
 *   data   size * dtype.byteSize() bytes, little-endian, row-major
 * </pre>
 * Readers accept every version up to {@link #VERSION} and reject newer ones with the number in the message.
 *
 * <pre>{@code
 * WeightsFile.write(Path.of("best.weights.bin"), model.getWeights());
 * model.setWeights(WeightsFile.read(Path.of("best.weights.bin")));
 * }</pre>
 */
public final class WeightsFile {
    /** The version this class writes. */
    public static final int VERSION = 1;
    private static final byte[] MAGIC = {'S', 'K', 'W', 'T'};

    private WeightsFile() {
    }

    /** Writes {@code weights} to {@code path} atomically (a temporary file, then a rename). */
    public static void write(Path path, List<NdArray> weights) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(weights.size());
            byte[] chunk = new byte[1 << 16];
            for (NdArray a : weights) {
                out.writeUTF(a.dtype().kerasName());
                long[] dims = a.shape().dims();
                out.writeInt(dims.length);
                for (long d : dims) {
                    out.writeLong(d);
                }
                ByteBuffer data = toLittleEndian(a);
                while (data.hasRemaining()) {
                    int n = Math.min(chunk.length, data.remaining());
                    data.get(chunk, 0, n);
                    out.write(chunk, 0, n);
                }
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads the arrays written by {@link #write}.
     *
     * @throws IOException for a file that is not a weights file, is truncated, or has an unknown version
     */
    public static List<NdArray> read(Path path) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path)))) {
            byte[] magic = new byte[4];
            in.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IOException(path + " is not a Spark Keras weights file (no SKWT header)");
            }
            int version = in.readInt();
            if (version < 1 || version > VERSION) {
                throw new IOException("Unsupported weights file version " + version + " in " + path
                        + "; this reader knows versions 1 to " + VERSION);
            }
            int count = in.readInt();
            List<NdArray> r = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                DType dtype = DType.of(in.readUTF());
                long[] dims = new long[in.readInt()];
                for (int d = 0; d < dims.length; d++) {
                    dims[d] = in.readLong();
                }
                NdArray a = NdArray.zeros(dtype, Shape.of(dims));
                byte[] bytes = new byte[Math.toIntExact(a.size() * dtype.byteSize())];
                in.readFully(bytes);
                ByteBuffer src = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                copyFromLittleEndian(src, a.buffer(), dtype);
                r.add(a);
            }
            return r;
        } catch (EOFException e) {
            throw new IOException("Truncated weights file " + path, e);
        }
    }

    private static ByteBuffer toLittleEndian(NdArray a) {
        ByteBuffer src = a.buffer().duplicate().order(ByteOrder.nativeOrder());
        src.rewind();
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || a.dtype().byteSize() == 1) {
            return src;
        }
        ByteBuffer dst = ByteBuffer.allocate(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy(src, dst, a.dtype());
        dst.flip();
        return dst;
    }

    private static void copyFromLittleEndian(ByteBuffer src, ByteBuffer dst, DType dtype) {
        ByteBuffer d = dst.duplicate().order(ByteOrder.nativeOrder());
        d.rewind();
        copy(src, d, dtype);
    }

    private static void copy(ByteBuffer src, ByteBuffer dst, DType dtype) {
        switch (dtype.byteSize()) {
            case 8 -> {
                while (src.hasRemaining()) {
                    dst.putLong(src.getLong());
                }
            }
            case 4 -> {
                while (src.hasRemaining()) {
                    dst.putInt(src.getInt());
                }
            }
            default -> dst.put(src);
        }
    }
}
