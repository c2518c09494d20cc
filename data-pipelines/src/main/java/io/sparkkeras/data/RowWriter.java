package io.sparkkeras.data;

import io.sparkkeras.backend.DType;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;
import org.apache.spark.unsafe.Platform;

import java.util.Arrays;

/**
 * The per-row half of {@link PartitionReader}: the column plan resolved once from a Spark schema and a
 * {@link ColumnSpec}, and the writers of one {@link InternalRow} into Arrow memory. Each write returns a status code
 * ({@code 0} good, negative a kind of bad row) and keeps the details for {@link #badRowMessage}, built only on the
 * error path. Owned by the reader's thread.
 */
final class RowWriter {
    private static final int FLOAT_ARRAY = 0;
    private static final int DOUBLE_ARRAY = 1;
    private static final int VECTOR = 2;
    private static final int SCALARS = 3;

    private static final int T_BYTE = 0;
    private static final int T_SHORT = 1;
    private static final int T_INT = 2;
    private static final int T_LONG = 3;
    private static final int T_FLOAT = 4;
    private static final int T_DOUBLE = 5;

    // Row status codes: 0 is a good row; each negative code is a kind of bad row (see badRowMessage).
    static final int OK = 0;
    static final int NULL_ROW = -1;
    static final int NULL_VALUE = -2;
    private static final int NULL_ELEMENT = -3;
    private static final int WRONG_LENGTH = -4;
    private static final int NOT_FINITE = -5;
    private static final int BAD_INDEX = -6;
    private static final int LABEL_NOT_INT32 = -7;
    private static final int BAD_WEIGHT = -8;

    private static final int EXPONENT_MASK = 0x7f800000;
    private static final long EXPONENT_MASK_2 = 0x7f8000007f800000L;
    private static final long LANE_ONES = 0x0000000100000001L;
    private static final long LANE_SIGNS = 0x8000000080000000L;

    private final ColumnSpec spec;
    private final int kind;
    private final String[] featureNames;
    private final int[] featureOrdinals;
    private final int[] featureTypes;
    private final int labelOrdinal;
    private final int labelSourceType;
    private final int weightOrdinal;
    private final int weightSourceType;
    private final DType labelType;
    private final boolean checkFinite;
    private BatchLayout layout;
    private int featureSize;
    private long featureBytes;

    // Details of the last bad row, read only on the error path.
    private String errColumn;
    private long errElement;
    private long errReceived;
    private double errValue;

    /** @throws IllegalArgumentException if a column is missing or has an unsupported type */
    RowWriter(StructType schema, ColumnSpec spec) {
        this.spec = spec;
        this.checkFinite = spec.checkFinite();
        int n = spec.featureColumns().size();
        this.featureNames = spec.featureColumns().toArray(new String[0]);
        this.featureOrdinals = new int[n];
        this.featureTypes = new int[n];
        int k = -1;
        for (int i = 0; i < n; i++) {
            StructField f = field(schema, featureNames[i], "features");
            featureOrdinals[i] = schema.fieldIndex(featureNames[i]);
            DataType t = f.dataType();
            int scalar = scalarType(t);
            if (n == 1 && scalar < 0) {
                if (t instanceof ArrayType a && a.elementType() instanceof FloatType) {
                    k = FLOAT_ARRAY;
                } else if (t instanceof ArrayType a && a.elementType() instanceof DoubleType) {
                    k = DOUBLE_ARRAY;
                } else if (isVector(t)) {
                    k = VECTOR;
                } else {
                    throw new IllegalArgumentException("Column `" + featureNames[i] + "` has type "
                            + t.simpleString() + ", expected array<float>, array<double>, vector (Spark ML) or a "
                            + "numeric scalar (byte, short, int, long, float, double)");
                }
            } else if (scalar < 0) {
                throw new IllegalArgumentException("Column `" + featureNames[i] + "` has type " + t.simpleString()
                        + "; with several feature columns " + spec.featureColumns() + " each must be a numeric "
                        + "scalar (byte, short, int, long, float, double)");
            } else {
                k = SCALARS;
            }
            featureTypes[i] = scalar;
        }
        this.kind = k;
        if (spec.labelColumn() != null) {
            StructField l = field(schema, spec.labelColumn(), "label");
            labelOrdinal = schema.fieldIndex(spec.labelColumn());
            labelSourceType = scalarType(l.dataType());
            if (labelSourceType < 0) {
                throw new IllegalArgumentException("Column `" + spec.labelColumn() + "` has type "
                        + l.dataType().simpleString() + ", expected a numeric label column (byte, short, int, long, "
                        + "float or double)");
            }
            labelType = spec.labelType() != null ? spec.labelType()
                    : labelSourceType >= T_FLOAT ? DType.FLOAT32 : DType.INT32;
        } else {
            labelOrdinal = -1;
            labelSourceType = -1;
            labelType = null;
        }
        if (spec.sampleWeightColumn() != null) {
            StructField w = field(schema, spec.sampleWeightColumn(), "sample weight");
            weightOrdinal = schema.fieldIndex(spec.sampleWeightColumn());
            weightSourceType = scalarType(w.dataType());
            if (weightSourceType < 0) {
                throw new IllegalArgumentException("Column `" + spec.sampleWeightColumn() + "` has type "
                        + w.dataType().simpleString() + ", expected a numeric sample weight column (byte, short, "
                        + "int, long, float or double)");
            }
        } else {
            weightOrdinal = -1;
            weightSourceType = -1;
        }
        if (kind == SCALARS) {
            if (spec.featureSize() > 0 && spec.featureSize() != n) {
                throw new IllegalArgumentException("Received an invalid value for `featureSize`: " + n
                        + " scalar feature columns give " + n + " values per row. Received: featureSize="
                        + spec.featureSize());
            }
            setFeatureSize(n);
        } else if (spec.featureSize() > 0) {
            setFeatureSize(spec.featureSize());
        }
    }

    private static StructField field(StructType schema, String name, String role) {
        for (StructField f : schema.fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("Column `" + name + "` (" + role + ") not found in the DataFrame. "
                + "Columns: " + Arrays.toString(schema.fieldNames()));
    }

    private static int scalarType(DataType t) {
        if (t instanceof ByteType) {
            return T_BYTE;
        } else if (t instanceof ShortType) {
            return T_SHORT;
        } else if (t instanceof IntegerType) {
            return T_INT;
        } else if (t instanceof LongType) {
            return T_LONG;
        } else if (t instanceof FloatType) {
            return T_FLOAT;
        } else if (t instanceof DoubleType) {
            return T_DOUBLE;
        }
        return -1;
    }

    /** Spark ML's (and MLlib's) VectorUDT: struct<type: tinyint, size: int, indices: array<int>, values: array<double>>. */
    private static boolean isVector(DataType t) {
        if (!(t instanceof UserDefinedType<?> udt) || !(udt.sqlType() instanceof StructType s) || s.size() != 4) {
            return false;
        }
        return s.fields()[0].dataType() instanceof ByteType && s.fields()[1].dataType() instanceof IntegerType
                && s.fields()[2].dataType() instanceof ArrayType && s.fields()[3].dataType() instanceof ArrayType;
    }

    void setFeatureSize(int d) {
        featureSize = d;
        featureBytes = 4L * d;
        layout = new BatchLayout(d, labelType, weightOrdinal >= 0);
    }

    /** The layout, or {@code null} while the feature size is unknown. */
    BatchLayout layout() {
        return layout;
    }

    String firstFeatureColumn() {
        return featureNames[0];
    }

    /** The feature count of a row's (array or vector) features column, or -1 if it is null. */
    int measure(InternalRow row) {
        int o = featureOrdinals[0];
        if (row.isNullAt(o)) {
            return -1;
        }
        if (kind == VECTOR) {
            InternalRow v = row.getStruct(o, 4);
            return v.getByte(0) == 0 ? v.getInt(1) : v.getArray(3).numElements();
        }
        return row.getArray(o).numElements();
    }

    /**
     * Writes one row's features at {@code dst}, its label at {@code labelDst} and its weight at {@code weightDst}.
     *
     * @return {@link #OK} or a negative code of the kind of bad row
     */
    int write(InternalRow row, long dst, long labelDst, long weightDst) {
        int status = switch (kind) {
            case FLOAT_ARRAY -> writeFloatArray(row, dst);
            case DOUBLE_ARRAY -> writeDoubleArray(row, dst);
            case VECTOR -> writeVector(row, dst);
            default -> writeScalars(row, dst);
        };
        if (status == OK && labelType != null) {
            status = writeLabel(row, labelDst);
        }
        if (status == OK && weightOrdinal >= 0) {
            status = writeWeight(row, weightDst);
        }
        return status;
    }

    private int writeWeight(InternalRow row, long dst) {
        String name = spec.sampleWeightColumn();
        if (row.isNullAt(weightOrdinal)) {
            return bad(NULL_VALUE, name);
        }
        double d = weightSourceType == T_LONG ? (double) row.getLong(weightOrdinal)
                : scalar(row, weightOrdinal, weightSourceType);
        float f = (float) d;
        // Whatever checkFinite says: a NaN or negative weight would turn the loss itself NaN or into ascent.
        if (!Float.isFinite(f) || f < 0) {
            errValue = d;
            return bad(BAD_WEIGHT, name);
        }
        Platform.putFloat(null, dst, f);
        return OK;
    }

    private int writeFloatArray(InternalRow row, long dst) {
        int o = featureOrdinals[0];
        if (row.isNullAt(o)) {
            return bad(NULL_VALUE, featureNames[0]);
        }
        if (row instanceof UnsafeRow u) {
            // Read the array in place: UnsafeRow.getArray would allocate an UnsafeArrayData per row.
            Object base = u.getBaseObject();
            long start = u.getBaseOffset() + (int) (u.getLong(o) >> 32);
            return copyUnsafeFloats(base, start, dst);
        }
        ArrayData a = row.getArray(o);
        if (a instanceof UnsafeArrayData ua) {
            return copyUnsafeFloats(ua.getBaseObject(), ua.getBaseOffset(), dst);
        }
        int n = a.numElements();
        if (n != featureSize) {
            errReceived = n;
            return bad(WRONG_LENGTH, featureNames[0]);
        }
        for (int j = 0; j < n; j++) {
            if (a.isNullAt(j)) {
                errElement = j;
                return bad(NULL_ELEMENT, featureNames[0]);
            }
            float v = a.getFloat(j);
            if (checkFinite && !Float.isFinite(v)) {
                errElement = j;
                errValue = v;
                return bad(NOT_FINITE, featureNames[0]);
            }
            Platform.putFloat(null, dst + 4L * j, v);
        }
        return OK;
    }

    /**
     * Copies a Spark unsafe array of floats ({@code [numElements: 8 bytes][null bits, 8-byte words][values]}) at
     * {@code base + start} with one memcpy, after checking its length, nulls and (if asked) finiteness.
     */
    private int copyUnsafeFloats(Object base, long start, long dst) {
        int n = (int) Platform.getLong(base, start);
        if (n != featureSize) {
            errReceived = n;
            return bad(WRONG_LENGTH, featureNames[0]);
        }
        int header = UnsafeArrayData.calculateHeaderPortionInBytes(n);
        if (nullBit(base, start, header) >= 0) {
            return bad(NULL_ELEMENT, featureNames[0]);
        }
        long values = start + header;
        if (checkFinite && !allFinite(base, values, n)) {
            for (int j = 0; j < n; j++) {
                int bits = Platform.getInt(base, values + 4L * j);
                if ((bits & EXPONENT_MASK) == EXPONENT_MASK) {
                    errElement = j;
                    errValue = Float.intBitsToFloat(bits);
                    break;
                }
            }
            return bad(NOT_FINITE, featureNames[0]);
        }
        Platform.copyMemory(base, values, null, dst, 4L * n);
        return OK;
    }

    /**
     * True if the {@code n} floats at {@code base + at} are all finite, checked two at a time: a float is NaN or
     * infinite exactly when its 8 exponent bits are all ones, i.e. when its 32-bit lane of
     * {@code (v & EXP2) ^ EXP2} is zero (found with the classic has-a-zero-lane bit trick).
     */
    private static boolean allFinite(Object base, long at, int n) {
        long bad = 0;
        int pairs = n >>> 1;
        for (int i = 0; i < pairs; i++) {
            long x = (Platform.getLong(base, at + 8L * i) & EXPONENT_MASK_2) ^ EXPONENT_MASK_2;
            bad |= (x - LANE_ONES) & ~x & LANE_SIGNS;
        }
        if ((n & 1) != 0 && (Platform.getInt(base, at + 4L * (n - 1)) & EXPONENT_MASK) == EXPONENT_MASK) {
            return false;
        }
        return bad == 0;
    }

    private int writeDoubleArray(InternalRow row, long dst) {
        int o = featureOrdinals[0];
        if (row.isNullAt(o)) {
            return bad(NULL_VALUE, featureNames[0]);
        }
        if (row instanceof UnsafeRow u) {
            Object base = u.getBaseObject();
            long start = u.getBaseOffset() + (int) (u.getLong(o) >> 32);
            return copyUnsafeDoubles(base, start, dst);
        }
        ArrayData a = row.getArray(o);
        int n = a.numElements();
        if (n != featureSize) {
            errReceived = n;
            return bad(WRONG_LENGTH, featureNames[0]);
        }
        return writeDoubles(a, n, dst);
    }

    /** Converts a Spark unsafe array of doubles at {@code base + start} to floats at {@code dst}. */
    private int copyUnsafeDoubles(Object base, long start, long dst) {
        int n = (int) Platform.getLong(base, start);
        if (n != featureSize) {
            errReceived = n;
            return bad(WRONG_LENGTH, featureNames[0]);
        }
        int header = UnsafeArrayData.calculateHeaderPortionInBytes(n);
        if (nullBit(base, start, header) >= 0) {
            return bad(NULL_ELEMENT, featureNames[0]);
        }
        long values = start + header;
        for (int j = 0; j < n; j++) {
            double d = Platform.getDouble(base, values + 8L * j);
            float v = (float) d;
            if (checkFinite && (Float.floatToRawIntBits(v) & EXPONENT_MASK) == EXPONENT_MASK) {
                errElement = j;
                errValue = d;
                return bad(NOT_FINITE, featureNames[0]);
            }
            Platform.putFloat(null, dst + 4L * j, v);
        }
        return OK;
    }

    private int writeDoubles(ArrayData a, int n, long dst) {
        if (a instanceof UnsafeArrayData u) {
            return copyUnsafeDoubles(u.getBaseObject(), u.getBaseOffset(), dst);
        }
        for (int j = 0; j < n; j++) {
            if (a.isNullAt(j)) {
                errElement = j;
                return bad(NULL_ELEMENT, featureNames[0]);
            }
            double d = a.getDouble(j);
            float v = (float) d;
            if (checkFinite && !Float.isFinite(v)) {
                errElement = j;
                errValue = d;
                return bad(NOT_FINITE, featureNames[0]);
            }
            Platform.putFloat(null, dst + 4L * j, v);
        }
        return OK;
    }

    private int writeVector(InternalRow row, long dst) {
        int o = featureOrdinals[0];
        if (row.isNullAt(o)) {
            return bad(NULL_VALUE, featureNames[0]);
        }
        InternalRow v = row.getStruct(o, 4);
        if (v.getByte(0) != 0) {
            ArrayData values = v.getArray(3);
            int n = values.numElements();
            if (n != featureSize) {
                errReceived = n;
                return bad(WRONG_LENGTH, featureNames[0]);
            }
            return writeDoubles(values, n, dst);
        }
        int size = v.getInt(1);
        if (size != featureSize) {
            errReceived = size;
            return bad(WRONG_LENGTH, featureNames[0]);
        }
        ArrayData indices = v.getArray(2);
        ArrayData values = v.getArray(3);
        Platform.setMemory(dst, (byte) 0, featureBytes);
        int nnz = values.numElements();
        for (int k = 0; k < nnz; k++) {
            int j = indices.getInt(k);
            if (j < 0 || j >= featureSize) {
                errElement = k;
                errReceived = j;
                return bad(BAD_INDEX, featureNames[0]);
            }
            double d = values.getDouble(k);
            float f = (float) d;
            if (checkFinite && !Float.isFinite(f)) {
                errElement = j;
                errValue = d;
                return bad(NOT_FINITE, featureNames[0]);
            }
            Platform.putFloat(null, dst + 4L * j, f);
        }
        return OK;
    }

    private int writeScalars(InternalRow row, long dst) {
        for (int k = 0; k < featureOrdinals.length; k++) {
            int o = featureOrdinals[k];
            if (row.isNullAt(o)) {
                return bad(NULL_VALUE, featureNames[k]);
            }
            double d = scalar(row, o, featureTypes[k]);
            float f = (float) d;
            if (checkFinite && !Float.isFinite(f)) {
                errElement = -1;
                errValue = d;
                return bad(NOT_FINITE, featureNames[k]);
            }
            Platform.putFloat(null, dst + 4L * k, f);
        }
        return OK;
    }

    private static double scalar(InternalRow row, int o, int type) {
        return switch (type) {
            case T_BYTE -> row.getByte(o);
            case T_SHORT -> row.getShort(o);
            case T_INT -> row.getInt(o);
            case T_LONG -> row.getLong(o);
            case T_FLOAT -> row.getFloat(o);
            default -> row.getDouble(o);
        };
    }

    private int writeLabel(InternalRow row, long dst) {
        String name = spec.labelColumn();
        if (row.isNullAt(labelOrdinal)) {
            return bad(NULL_VALUE, name);
        }
        if (labelType == DType.INT32) {
            if (labelSourceType == T_LONG) {
                long v = row.getLong(labelOrdinal);
                if (v != (int) v) {
                    errValue = v;
                    return bad(LABEL_NOT_INT32, name);
                }
                Platform.putInt(null, dst, (int) v);
                return OK;
            }
            if (labelSourceType <= T_INT) {
                Platform.putInt(null, dst, (int) scalar(row, labelOrdinal, labelSourceType));
                return OK;
            }
            double d = scalar(row, labelOrdinal, labelSourceType);
            int i = (int) d;
            if (i != d) {
                errValue = d;
                return bad(LABEL_NOT_INT32, name);
            }
            Platform.putInt(null, dst, i);
            return OK;
        }
        double d = labelSourceType == T_LONG ? (double) row.getLong(labelOrdinal)
                : scalar(row, labelOrdinal, labelSourceType);
        float f = (float) d;
        if (checkFinite && !Float.isFinite(f)) {
            errElement = -1;
            errValue = d;
            return bad(NOT_FINITE, name);
        }
        Platform.putFloat(null, dst, f);
        return OK;
    }

    /** The first null element of a Spark unsafe array at {@code base + start}, or -1; sets the error detail. */
    private int nullBit(Object base, long start, int header) {
        for (long p = start + 8; p < start + header; p += 8) {
            long word = Platform.getLong(base, p);
            if (word != 0) {
                int j = (int) ((p - start - 8) * 8) + Long.numberOfTrailingZeros(word);
                errElement = j;
                return j;
            }
        }
        return -1;
    }

    int bad(int code, String column) {
        errColumn = column;
        return code;
    }

    /** The message for the last bad row, of kind {@code code}. */
    String badRowMessage(int code, int partitionId, long rowOffset) {
        String where = "Bad row in partition " + partitionId + " at offset " + rowOffset + ": ";
        String what = switch (code) {
            case NULL_ROW -> "the row is null, expected a row with columns " + spec.featureColumns()
                    + (spec.labelColumn() == null ? "" : " and `" + spec.labelColumn() + "`");
            case NULL_VALUE -> "column `" + errColumn + "` is null, expected a value";
            case NULL_ELEMENT -> "column `" + errColumn + "` has a null at element " + errElement
                    + ", expected " + featureSize + " non-null numbers";
            case WRONG_LENGTH -> "column `" + errColumn + "` has " + errReceived + " values, expected "
                    + featureSize + (spec.featureSize() > 0 ? " (featureSize)" : " (the length of the first row)");
            case NOT_FINITE -> "column `" + errColumn + "`" + (errElement >= 0 ? " element " + errElement : "")
                    + " is " + errValue + ", expected a finite float32 value (checkFinite(false) allows NaN and "
                    + "infinity)";
            case BAD_INDEX -> "column `" + errColumn + "` is a sparse vector with index " + errReceived
                    + " at position " + errElement + ", expected indices in [0, " + featureSize + ")";
            case BAD_WEIGHT -> "column `" + errColumn + "` is " + errValue + ", expected a finite sample weight "
                    + ">= 0";
            case LABEL_NOT_INT32 -> "column `" + errColumn + "` is " + errValue + ", expected an integral value "
                    + "that fits int32 (labelType int32; use labelType(DType.FLOAT32) for real-valued labels)";
            default -> "status " + code;
        };
        return where + what + ". Use ColumnSpec.badRowPolicy(BadRowPolicy.SKIP) to skip and count bad rows.";
    }
}
