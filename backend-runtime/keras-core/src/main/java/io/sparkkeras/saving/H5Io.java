package io.sparkkeras.saving;

import io.jhdf.HdfFile;
import io.jhdf.WritableGroupImpl;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.WritableGroup;
import io.jhdf.storage.HdfFileChannel;
import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.NdArray;

import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Reads and writes HDF5 files as {@link H5Group} trees with jHDF (pure Java). Datasets are float32, float64, int32
 * or int64 arrays, or scalars; group attributes are strings. Reading checks every size against the file's length
 * first, so a damaged file fails with a {@link KerasFileException} instead of a huge allocation.
 */
final class H5Io {
    private static final int MAX_DEPTH = 32;

    private H5Io() {
    }

    // ---- reading

    /**
     * Parses an HDF5 file held in memory.
     *
     * @param file  the file named in errors
     * @param entry the zip entry named in errors (or {@code null} for a plain file)
     */
    static H5Group read(byte[] bytes, Path file, String entry) {
        if (bytes.length < 8 || (bytes[0] & 0xFF) != 0x89 || bytes[1] != 'H' || bytes[2] != 'D' || bytes[3] != 'F') {
            throw new KerasFileException(file, entry, "not an HDF5 file (no HDF5 signature at the start"
                    + (bytes.length < 8 ? "; only " + bytes.length + " bytes" : "") + ")");
        }
        try (HdfFile h = HdfFile.fromBytes(bytes)) {
            H5Group root = new H5Group();
            copy(h, root, bytes.length, file, entry, 0);
            return root;
        } catch (KerasFileException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw new KerasFileException(file, entry, "damaged HDF5 data: " + e, e);
        }
    }

    private static void copy(Group src, H5Group dst, long fileBytes, Path file, String entry, int depth) {
        if (depth > MAX_DEPTH) {
            throw new KerasFileException(file, entry, "HDF5 groups nested deeper than " + MAX_DEPTH + " at '"
                    + src.getPath() + "'");
        }
        for (Map.Entry<String, Attribute> a : src.getAttributes().entrySet()) {
            Object v = a.getValue().getData();
            if (v instanceof String s) {
                dst.putAttribute(a.getKey(), s);
            }
        }
        for (Node n : src) {
            if (n instanceof Group g) {
                copy(g, dst.group(n.getName()), fileBytes, file, entry, depth + 1);
            } else if (n instanceof Dataset d) {
                dst.putDataset(n.getName(), readDataset(d, fileBytes, file, entry));
            }
        }
    }

    private static NdArray readDataset(Dataset d, long fileBytes, Path file, String entry) {
        String path = d.getPath();
        long[] dims = d.getDimensionsAsLong();
        long count = 1;
        for (long x : dims) {
            if (x < 0 || x > fileBytes || (count *= Math.max(x, 1)) > fileBytes) {
                throw new KerasFileException(file, entry, "HDF5 dataset '" + path + "' claims shape "
                        + java.util.Arrays.toString(dims) + ", larger than the file (" + fileBytes + " bytes)");
            }
        }
        Class<?> type = d.getJavaType();
        Shape shape = Shape.of(dims);
        if (d.isScalar()) {
            Object v = d.getData();
            if (v instanceof Float f) {
                return NdArray.of(new float[] {f}).reshape();
            } else if (v instanceof Double x) {
                return NdArray.of(new double[] {x}).reshape();
            } else if (v instanceof Long x) {
                return NdArray.of(new long[] {x}).reshape();
            } else if (v instanceof Number x) {
                return NdArray.of(new int[] {x.intValue()}).reshape();
            }
            throw new KerasFileException(file, entry, "HDF5 dataset '" + path + "' holds a " + v.getClass()
                    .getSimpleName() + "; expected a number");
        }
        Object flat = d.getDataFlat();
        int[] s = shape.intDims();
        if (flat instanceof float[] a) {
            return NdArray.of(a, s);
        } else if (flat instanceof double[] a) {
            return NdArray.of(a, s);
        } else if (flat instanceof long[] a) {
            return NdArray.of(a, s);
        } else if (flat instanceof int[] a) {
            return NdArray.of(a, s);
        } else if (flat instanceof short[] a) {
            int[] w = new int[a.length];
            for (int i = 0; i < a.length; i++) {
                w[i] = a[i];
            }
            return NdArray.of(w, s);
        } else if (flat instanceof byte[] a) {
            int[] w = new int[a.length];
            for (int i = 0; i < a.length; i++) {
                w[i] = a[i];
            }
            return NdArray.of(w, s);
        }
        throw new KerasFileException(file, entry, "HDF5 dataset '" + path + "' has element type " + type
                + "; expected float32, float64, int32 or int64 numbers");
    }

    // ---- writing

    /**
     * Writes {@code root} as a new HDF5 file at {@code path} (replaced if present).
     *
     * <p>jHDF 0.13's {@code WritableHdfFile.close()} writes an info string at the channel's current position, which
     * can overwrite a group header written after the last dataset; the tree is therefore flushed here with jHDF's
     * public node writer, and without that string.
     */
    static void write(H5Group root, Path path) throws IOException {
        WritableGroupImpl h = new WritableGroupImpl(null, "/");
        fill(h, root);
        Files.deleteIfExists(path);
        try (FileChannel fc = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW)) {
            io.jhdf.Superblock.SuperblockV2V3 superblock = new io.jhdf.Superblock.SuperblockV2V3();
            HdfFileChannel channel = new HdfFileChannel(fc, superblock);
            h.write(channel, WritableHdfFile.ROOT_GROUP_ADDRESS);
            channel.write(superblock.toBuffer(fc.size()), 0L);
        } catch (RuntimeException e) {
            throw new IOException("Cannot write HDF5 file " + path + ": " + e, e);
        }
    }

    private static void fill(WritableGroup dst, H5Group src) {
        for (Map.Entry<String, String> a : src.attributes().entrySet()) {
            dst.putAttribute(a.getKey(), a.getValue());
        }
        for (Map.Entry<String, H5Group> g : src.groups().entrySet()) {
            fill(dst.putGroup(g.getKey()), g.getValue());
        }
        for (Map.Entry<String, NdArray> d : src.datasets().entrySet()) {
            dst.putDataset(d.getKey(), javaArray(d.getValue()));
        }
    }

    /** A boxed scalar, or a nested Java array of the value's shape, as jHDF writes them. */
    static Object javaArray(NdArray a) {
        DType t = a.dtype();
        int[] dims = a.shape().intDims();
        ByteBuffer b = a.buffer();
        if (dims.length == 0) {
            return switch (t) {
                case FLOAT32 -> b.getFloat(0);
                case FLOAT64 -> b.getDouble(0);
                case INT64 -> b.getLong(0);
                case INT32 -> b.getInt(0);
                default -> throw new IllegalArgumentException("Cannot write a " + t + " scalar to HDF5");
            };
        }
        Class<?> elem = switch (t) {
            case FLOAT32 -> float.class;
            case FLOAT64 -> double.class;
            case INT64 -> long.class;
            case INT32 -> int.class;
            default -> throw new IllegalArgumentException("Cannot write a " + t + " array to HDF5");
        };
        Object out = Array.newInstance(elem, dims);
        fillArray(out, dims, 0, b, new int[] {0}, t);
        return out;
    }

    private static void fillArray(Object arr, int[] dims, int axis, ByteBuffer b, int[] pos, DType t) {
        int n = dims[axis];
        if (axis == dims.length - 1) {
            for (int i = 0; i < n; i++) {
                int p = pos[0]++;
                switch (t) {
                    case FLOAT32 -> ((float[]) arr)[i] = b.getFloat(p * 4);
                    case FLOAT64 -> ((double[]) arr)[i] = b.getDouble(p * 8);
                    case INT64 -> ((long[]) arr)[i] = b.getLong(p * 8);
                    default -> ((int[]) arr)[i] = b.getInt(p * 4);
                }
            }
            return;
        }
        Object[] rows = (Object[]) arr;
        for (int i = 0; i < n; i++) {
            fillArray(rows[i], dims, axis + 1, b, pos, t);
        }
    }
}
