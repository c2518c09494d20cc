package io.sparkkeras.spark;

import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataType;
import scala.collection.immutable.Seq;

/**
 * The columns {@link KerasModel#transform} adds to one row, in Spark's internal form: prediction computed at once,
 * rawPrediction and probability (two Spark ML vectors, most of the per-row cost for a cheap model) only when an
 * operator reads them, so {@code transform(df).select("prediction")} under whole-stage codegen never builds them
 * (a plan that projects every column reads them all). Reads, writes and copies see the same values as if all were
 * built up front; a row's outputs array belongs to its batch and is never written again. Like Spark's rows, it is
 * used by one thread at a time.
 *
 * <pre>{@code
 * InternalRow added = new OutputRow(columns, outputs, i * k, k, true, true, true);
 * }</pre>
 */
final class OutputRow extends GenericInternalRow {
    private static final VectorUDT VECTOR = new VectorUDT();

    private final OutputColumns columns;
    private final float[] outputs;
    private final int at;
    private final int k;
    /** The slots of the vector columns, or -1 where transform does not add that column. */
    private final int rawSlot;
    private final int probabilitySlot;
    private boolean built;

    OutputRow(OutputColumns columns, float[] outputs, int at, int k, boolean raw, boolean probability,
              boolean prediction) {
        super(new Object[(raw ? 1 : 0) + (probability ? 1 : 0) + (prediction ? 1 : 0)]);
        this.columns = columns;
        this.outputs = outputs;
        this.at = at;
        this.k = k;
        this.rawSlot = raw ? 0 : -1;
        this.probabilitySlot = probability ? (raw ? 1 : 0) : -1;
        this.built = !raw && !probability;
        if (prediction) {
            values()[values().length - 1] = columns.prediction(outputs, at, k);
        }
    }

    @Override
    public Object genericGet(int ordinal) {
        if (!built && (ordinal == rawSlot || ordinal == probabilitySlot)) {
            build();
        }
        return super.genericGet(ordinal);
    }

    @Override
    public void update(int ordinal, Object value) {
        if (!built) {
            build();   // else a later build would overwrite what is written now
        }
        super.update(ordinal, value);
    }

    @Override
    public void setNullAt(int ordinal) {
        update(ordinal, null);
    }

    @Override
    public boolean isNullAt(int ordinal) {
        if (built) {
            return super.isNullAt(ordinal);
        }
        // Outputs of a row that was scored are never null: no need to build a vector to say so.
        return ordinal != rawSlot && ordinal != probabilitySlot && super.isNullAt(ordinal);
    }

    @Override
    public Seq<Object> toSeq(Seq<DataType> fieldTypes) {
        if (!built) {
            build();   // the parent copies the values array as it is
        }
        return super.toSeq(fieldTypes);
    }

    /** Serialized (never so far: rows are projected before any exchange) as a plain row, without the batch. */
    private Object writeReplace() {
        return copy();
    }

    private void build() {
        OutputColumns.Row r = columns.of(outputs, at, k);
        Object[] v = values();
        if (rawSlot >= 0) {
            v[rawSlot] = VECTOR.serialize(Vectors.dense(r.raw()));
        }
        if (probabilitySlot >= 0) {
            v[probabilitySlot] = VECTOR.serialize(Vectors.dense(r.probability()));
        }
        built = true;
    }
}
