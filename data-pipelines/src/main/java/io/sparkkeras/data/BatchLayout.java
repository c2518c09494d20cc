package io.sparkkeras.data;

import io.sparkkeras.backend.DType;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.util.ArrayList;
import java.util.List;

/**
 * The Arrow layout every source produces and every batch uses: a column {@code features} of type
 * {@code FixedSizeList<float32>[featureSize]}, so that a batch's features are one contiguous float buffer of
 * {@code rows × featureSize} values (the list's child), and an optional column {@code label} of type {@code int32}
 * or {@code float32}.
 *
 * <p>Roots made by {@link #newRoot} have their validity bits set once for their whole capacity and are then reused:
 * writers fill data buffers directly at {@link #featuresAddress} and {@link #labelAddress}.
 *
 * <pre>{@code
 * BatchLayout layout = new BatchLayout(784, DType.INT32);
 * try (VectorSchemaRoot root = layout.newRoot(allocator, 128)) {
 *     long x = layout.featuresAddress(root);   // 128 × 784 floats
 * }
 * }</pre>
 */
public final class BatchLayout {
    /** Name of the features column. */
    public static final String FEATURES = "features";
    /** Name of the label column. */
    public static final String LABEL = "label";
    /** Name of the per-sample weight column (float32). */
    public static final String SAMPLE_WEIGHT = "sample_weight";

    private final int featureSize;
    private final DType labelType;
    private final boolean sampleWeight;
    private final int labelIndex;
    private final int weightIndex;
    private final Schema schema;

    /**
     * @param featureSize values per sample, {@code >= 0}
     * @param labelType   {@link DType#INT32}, {@link DType#FLOAT32}, or {@code null} for no label (prediction)
     */
    public BatchLayout(int featureSize, DType labelType) {
        this(featureSize, labelType, false);
    }

    /**
     * @param featureSize  values per sample, {@code >= 0}
     * @param labelType    {@link DType#INT32}, {@link DType#FLOAT32}, or {@code null} for no label (prediction)
     * @param sampleWeight whether rows carry a float32 {@code sample_weight}
     */
    public BatchLayout(int featureSize, DType labelType, boolean sampleWeight) {
        if (featureSize < 0) {
            throw new IllegalArgumentException("Received an invalid value for `featureSize`, expected an integer "
                    + ">= 0. Received: featureSize=" + featureSize);
        }
        if (labelType != null && labelType != DType.INT32 && labelType != DType.FLOAT32) {
            throw new IllegalArgumentException("Received an invalid value for `labelType`, expected int32, float32 "
                    + "or null (no label). Received: labelType=" + labelType);
        }
        this.featureSize = featureSize;
        this.labelType = labelType;
        this.sampleWeight = sampleWeight;
        this.labelIndex = labelType == null ? -1 : 1;
        this.weightIndex = sampleWeight ? (labelType == null ? 1 : 2) : -1;
        List<Field> fields = new ArrayList<>(3);
        Field item = new Field("item", FieldType.notNullable(
                new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)), null);
        fields.add(new Field(FEATURES, FieldType.notNullable(new ArrowType.FixedSizeList(featureSize)), List.of(item)));
        if (labelType != null) {
            ArrowType t = labelType == DType.INT32 ? new ArrowType.Int(32, true)
                    : new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
            fields.add(new Field(LABEL, FieldType.notNullable(t), null));
        }
        if (sampleWeight) {
            fields.add(new Field(SAMPLE_WEIGHT, FieldType.notNullable(
                    new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)), null));
        }
        this.schema = new Schema(fields);
    }

    /**
     * The layout of an Arrow schema, which must have {@code features: FixedSizeList<float32>} and optionally
     * {@code label: int32 | float32}.
     *
     * @throws IllegalArgumentException naming the column, the expected and the received type
     */
    public static BatchLayout of(Schema schema) {
        Field f = find(schema, FEATURES);
        if (f == null) {
            throw new IllegalArgumentException("Column `" + FEATURES + "` not found in the Arrow schema, expected "
                    + "FixedSizeList<float32>. Columns: " + names(schema));
        }
        if (!(f.getType() instanceof ArrowType.FixedSizeList fl) || f.getChildren().size() != 1
                || !isFloat32(f.getChildren().get(0).getType())) {
            throw new IllegalArgumentException("Column `" + FEATURES + "` has Arrow type " + describe(f)
                    + ", expected FixedSizeList<float32>");
        }
        Field l = find(schema, LABEL);
        DType labelType = null;
        if (l != null) {
            if (isFloat32(l.getType())) {
                labelType = DType.FLOAT32;
            } else if (l.getType() instanceof ArrowType.Int i && i.getBitWidth() == 32 && i.getIsSigned()) {
                labelType = DType.INT32;
            } else {
                throw new IllegalArgumentException("Column `" + LABEL + "` has Arrow type " + l.getType()
                        + ", expected int32 or float32");
            }
        }
        Field w = find(schema, SAMPLE_WEIGHT);
        if (w != null && !isFloat32(w.getType())) {
            throw new IllegalArgumentException("Column `" + SAMPLE_WEIGHT + "` has Arrow type " + w.getType()
                    + ", expected float32");
        }
        BatchLayout layout = new BatchLayout(fl.getListSize(), labelType, w != null);
        List<String> expected = names(layout.schema);
        if (!names(schema).subList(0, Math.min(schema.getFields().size(), expected.size())).equals(expected)) {
            throw new IllegalArgumentException("The Arrow schema's first columns must be " + expected
                    + ", in this order. Columns: " + names(schema));
        }
        return layout;
    }

    private static boolean isFloat32(ArrowType t) {
        return t instanceof ArrowType.FloatingPoint fp && fp.getPrecision() == FloatingPointPrecision.SINGLE;
    }

    private static String describe(Field f) {
        return f.getType() + (f.getChildren().isEmpty() ? "" : "<" + f.getChildren().get(0).getType() + ">");
    }

    private static Field find(Schema schema, String name) {
        for (Field f : schema.getFields()) {
            if (f.getName().equals(name)) {
                return f;
            }
        }
        return null;
    }

    private static List<String> names(Schema schema) {
        List<String> r = new ArrayList<>();
        for (Field f : schema.getFields()) {
            r.add(f.getName());
        }
        return r;
    }

    public int featureSize() {
        return featureSize;
    }

    /** The label's type, or {@code null} when there is no label. */
    public DType labelType() {
        return labelType;
    }

    public boolean hasLabel() {
        return labelType != null;
    }

    public Schema schema() {
        return schema;
    }

    /** Bytes of features per row. */
    public long featureBytes() {
        return 4L * featureSize;
    }

    /**
     * A new root of this layout with room for {@code capacityRows} rows, all marked valid, row count 0.
     *
     * @return a root owned by the caller, who closes it
     */
    public VectorSchemaRoot newRoot(BufferAllocator allocator, int capacityRows) {
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        try {
            FixedSizeListVector features = (FixedSizeListVector) root.getVector(0);
            features.setInitialCapacity(capacityRows);
            features.allocateNew();
            setAllValid(features, capacityRows);
            setAllValid((BaseFixedWidthVector) features.getDataVector(), capacityRows * featureSize);
            for (int i = 1; i < root.getFieldVectors().size(); i++) {
                BaseFixedWidthVector v = (BaseFixedWidthVector) root.getVector(i);
                v.allocateNew(capacityRows);
                setAllValid(v, capacityRows);
            }
            root.setRowCount(0);
            return root;
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    private static void setAllValid(FieldVector v, int count) {
        long bytes = (count + 7) / 8;
        if (bytes > 0) {
            v.getValidityBuffer().setOne(0, bytes);
        }
    }

    /** Rows {@code root} can hold without reallocation. */
    public int capacity(VectorSchemaRoot root) {
        FixedSizeListVector features = (FixedSizeListVector) root.getVector(0);
        int byFeatures = featureSize == 0 ? Integer.MAX_VALUE
                : (int) (features.getDataVector().getDataBuffer().capacity() / featureBytes());
        int byList = features.getValueCapacity();
        int r = Math.min(byFeatures, byList);
        for (int i = 1; i < root.getFieldVectors().size(); i++) {
            r = Math.min(r, ((BaseFixedWidthVector) root.getVector(i)).getValueCapacity());
        }
        return r;
    }

    /** Address of row 0's features in {@code root}. */
    public long featuresAddress(VectorSchemaRoot root) {
        return ((FixedSizeListVector) root.getVector(0)).getDataVector().getDataBuffer().memoryAddress();
    }

    /** The float vector holding {@code root}'s features, row-major. */
    public Float4Vector featureValues(VectorSchemaRoot root) {
        return (Float4Vector) ((FixedSizeListVector) root.getVector(0)).getDataVector();
    }

    /** Address of row 0's label in {@code root}, or 0 without a label. */
    public long labelAddress(VectorSchemaRoot root) {
        return labelIndex < 0 ? 0 : ((BaseFixedWidthVector) root.getVector(labelIndex)).getDataBuffer().memoryAddress();
    }

    /** The label vector ({@link IntVector} or {@link Float4Vector}), or {@code null}. */
    public FieldVector labelVector(VectorSchemaRoot root) {
        return labelIndex < 0 ? null : root.getVector(labelIndex);
    }

    public boolean hasSampleWeight() {
        return sampleWeight;
    }

    /** Address of row 0's sample weight in {@code root}, or 0 without weights. */
    public long weightAddress(VectorSchemaRoot root) {
        return weightIndex < 0 ? 0
                : ((BaseFixedWidthVector) root.getVector(weightIndex)).getDataBuffer().memoryAddress();
    }

    /** The sample weight vector, or {@code null}. */
    public Float4Vector weightVector(VectorSchemaRoot root) {
        return weightIndex < 0 ? null : (Float4Vector) root.getVector(weightIndex);
    }

    /** Fills {@code into} with the buffer addresses of {@code root}, a root of this layout; returns it. */
    public RowAddresses addresses(VectorSchemaRoot root, RowAddresses into) {
        into.features = featuresAddress(root);
        into.label = labelAddress(root);
        into.weight = weightAddress(root);
        return into;
    }

    /** Copies one row between two roots of this layout, all columns; no bounds checks (hot path). */
    public void copyRow(RowAddresses src, int srcRow, RowAddresses dst, int dstRow) {
        long fb = featureBytes();
        MemoryUtil.copyMemory(src.features + srcRow * fb, dst.features + dstRow * fb, fb);
        if (labelType != null) {
            MemoryUtil.copyMemory(src.label + 4L * srcRow, dst.label + 4L * dstRow, 4);
        }
        if (sampleWeight) {
            MemoryUtil.copyMemory(src.weight + 4L * srcRow, dst.weight + 4L * dstRow, 4);
        }
    }

    /** True if a root's schema is this layout. */
    public boolean matches(Schema other) {
        return schema.equals(other);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchLayout b && b.featureSize == featureSize && b.labelType == labelType
                && b.sampleWeight == sampleWeight;
    }

    @Override
    public int hashCode() {
        return (featureSize * 31 + (labelType == null ? 0 : labelType.hashCode())) * 2 + (sampleWeight ? 1 : 0);
    }

    @Override
    public String toString() {
        return "BatchLayout(features=float32[" + featureSize + "], label=" + (labelType == null ? "none" : labelType)
                + (sampleWeight ? ", sample_weight=float32" : "") + ")";
    }
}
