package io.sparkkeras.data;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * DataFrames and Parquet files read into an {@link ArrowTable} on the calling JVM: the local path (driver-side
 * {@code fit} on a small DataFrame, tests). Distributed training reads each partition in its task with
 * {@link PartitionReader} instead.
 *
 * <pre>{@code
 * try (ArrowTable t = SparkTables.parquet(spark, "/data/train.parquet",
 *         ColumnSpec.features("features").label("label"), allocator)) { ... }
 * }</pre>
 */
public final class SparkTables {
    private SparkTables() {
    }

    /**
     * The rows of {@code df} (all partitions, in order) as a table. Only the columns {@code spec} names are read.
     *
     * @return a table owned by the caller
     * @throws IllegalArgumentException on a missing column, a bad type, or a bad row under {@link BadRowPolicy#FAIL}
     */
    public static ArrowTable collect(Dataset<Row> df, ColumnSpec spec, BufferAllocator allocator, int chunkRows) {
        PartitionReader.validateSchema(df.schema(), spec);
        List<Column> cols = new ArrayList<>();
        for (String c : spec.featureColumns()) {
            cols.add(df.col(c));
        }
        if (spec.labelColumn() != null) {
            cols.add(df.col(spec.labelColumn()));
        }
        if (spec.sampleWeightColumn() != null) {
            cols.add(df.col(spec.sampleWeightColumn()));
        }
        Dataset<Row> selected = df.select(cols.toArray(new Column[0]));
        Iterator<InternalRow> rows = scala.jdk.javaapi.CollectionConverters.asJava(
                selected.queryExecution().executedPlan().executeToIterator());
        return PartitionReader.ofInternalRows(selected.schema(), rows, spec, 0).readAll(allocator, chunkRows);
    }

    /** A Parquet file or directory read through {@code spark} into a table. */
    public static ArrowTable parquet(SparkSession spark, String path, ColumnSpec spec, BufferAllocator allocator) {
        return collect(spark.read().parquet(path), spec, allocator, ArrowTable.DEFAULT_CHUNK_ROWS);
    }
}
