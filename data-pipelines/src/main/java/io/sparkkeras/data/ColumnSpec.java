package io.sparkkeras.data;

import io.sparkkeras.backend.DType;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * Which DataFrame columns become a sample, and how bad rows are treated: the configuration of a
 * {@link PartitionReader}. Serializable, so it ships to executors in a task closure.
 *
 * <p>Features are either one column of type {@code array<float>}, {@code array<double>} or Spark ML {@code Vector}
 * (dense or sparse), or several numeric scalar columns (one value each). The label is one numeric column
 * ({@code byte}, {@code short}, {@code int}, {@code long}, {@code float}, {@code double}), written as {@code int32}
 * or {@code float32}.
 *
 * <pre>{@code
 * ColumnSpec spec = ColumnSpec.features("pixels").label("label").labelType(DType.INT32)
 *         .badRowPolicy(BadRowPolicy.SKIP);
 * }</pre>
 */
public final class ColumnSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<String> featureColumns;
    private String labelColumn;
    private String sampleWeightColumn;
    private DType labelType;
    private int featureSize = -1;
    private BadRowPolicy badRowPolicy = BadRowPolicy.FAIL;
    private boolean checkFinite = true;

    private ColumnSpec(List<String> featureColumns) {
        if (featureColumns.isEmpty()) {
            throw new IllegalArgumentException("Received an invalid value for `featureColumns`, expected at least "
                    + "one column name. Received: featureColumns=[]");
        }
        for (String c : featureColumns) {
            if (c == null || c.isEmpty()) {
                throw new IllegalArgumentException("Received an invalid value for `featureColumns`, expected "
                        + "non-empty names. Received: featureColumns=" + featureColumns);
            }
        }
        this.featureColumns = List.copyOf(featureColumns);
    }

    /**
     * Features from one column ({@code array<float>}, {@code array<double>}, ML {@code Vector} or a numeric scalar),
     * or from several numeric scalar columns.
     */
    public static ColumnSpec features(String... columns) {
        return new ColumnSpec(Arrays.asList(columns));
    }

    /** The label column. Defaults to none (prediction). */
    public ColumnSpec label(String column) {
        this.labelColumn = column;
        return this;
    }

    /**
     * A numeric column of per-sample weights (Keras's {@code sample_weight}), written as float32 and handed to the
     * trainer as {@code Batch.sampleWeights()}. Defaults to none.
     */
    public ColumnSpec sampleWeight(String column) {
        this.sampleWeightColumn = column;
        return this;
    }

    /**
     * The label's type in batches: {@code INT32} (class ids) or {@code FLOAT32}. Defaults to {@code INT32} for an
     * integral label column and {@code FLOAT32} for a floating-point one.
     */
    public ColumnSpec labelType(DType type) {
        if (type != DType.INT32 && type != DType.FLOAT32) {
            throw new IllegalArgumentException("Received an invalid value for `labelType`, expected int32 or "
                    + "float32. Received: labelType=" + type);
        }
        this.labelType = type;
        return this;
    }

    /**
     * Values per sample. Rows with another count are bad rows. Defaults to the count of the first good row (array
     * and vector columns) or the number of scalar columns.
     */
    public ColumnSpec featureSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("Received an invalid value for `featureSize`, expected a positive "
                    + "integer. Received: featureSize=" + size);
        }
        this.featureSize = size;
        return this;
    }

    /** What to do with a bad row. Defaults to {@link BadRowPolicy#FAIL}. */
    public ColumnSpec badRowPolicy(BadRowPolicy policy) {
        this.badRowPolicy = policy;
        return this;
    }

    /** Whether NaN and infinite feature and label values are bad. Defaults to {@code true}. */
    public ColumnSpec checkFinite(boolean check) {
        this.checkFinite = check;
        return this;
    }

    public List<String> featureColumns() {
        return featureColumns;
    }

    /** The label column, or {@code null}. */
    public String labelColumn() {
        return labelColumn;
    }

    /** The sample weight column, or {@code null}. */
    public String sampleWeightColumn() {
        return sampleWeightColumn;
    }

    /** The requested label type, or {@code null} for the default. */
    public DType labelType() {
        return labelType;
    }

    /** The fixed feature size, or {@code -1} to take it from the first row. */
    public int featureSize() {
        return featureSize;
    }

    public BadRowPolicy badRowPolicy() {
        return badRowPolicy;
    }

    public boolean checkFinite() {
        return checkFinite;
    }

    @Override
    public String toString() {
        return "ColumnSpec(features=" + featureColumns + ", label=" + labelColumn + ", sampleWeight="
                + sampleWeightColumn + ", labelType=" + labelType
                + ", featureSize=" + featureSize + ", badRowPolicy=" + badRowPolicy + ", checkFinite="
                + checkFinite + ")";
    }
}
