package io.sparkkeras.data;

import org.apache.arrow.memory.RootAllocator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** The one local[2] SparkSession all tests of this module share, and helpers that read partitions in tasks. */
final class TestSpark {
    private static SparkSession session;

    private TestSpark() {
    }

    static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[2]")
                    .appName("data-pipelines-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.sql.adaptive.enabled", "false")
                    .getOrCreate();
            session.sparkContext().setLogLevel("WARN");
        }
        return session;
    }

    static JavaSparkContext jsc() {
        return JavaSparkContext.fromSparkContext(get().sparkContext());
    }

    static Dataset<Row> frame(List<Row> rows, StructType schema, int partitions) {
        return get().createDataFrame(jsc().parallelize(rows, partitions), schema);
    }

    /** What one task read from its partition. */
    static final class PartitionResult implements Serializable {
        int partition;
        int featureSize;
        float[] features;
        double[] labels;
        float[] weights;
        long skipped;
        long allocatedBeforeClose;
        long allocatedAfterClose;
        String labelType;
    }

    /** Reads every partition of {@code df} in its task through the InternalRow path, in partition order. */
    static List<PartitionResult> readInTasks(Dataset<Row> df, ColumnSpec spec) {
        StructType schema = df.schema();
        return df.queryExecution().toRdd().toJavaRDD().mapPartitions(
                (Iterator<InternalRow> it) -> List.of(read(PartitionReader.ofInternalRows(schema, it, spec)))
                        .iterator()).collect();
    }

    /** Reads every partition of {@code df} in its task through the public Row path. */
    static List<PartitionResult> readRowsInTasks(Dataset<Row> df, ColumnSpec spec) {
        StructType schema = df.schema();
        return df.javaRDD().mapPartitions(
                (Iterator<Row> it) -> List.of(read(PartitionReader.ofRows(schema, it, spec))).iterator()).collect();
    }

    static PartitionResult read(PartitionReader reader) {
        PartitionResult r = new PartitionResult();
        r.partition = org.apache.spark.TaskContext.getPartitionId();
        RootAllocator allocator = new RootAllocator();
        try (ArrowTable table = reader.readAll(allocator, 7)) {
            r.featureSize = table.layout().featureSize();
            r.features = table.featuresToArray();
            r.labels = table.layout().hasLabel() ? table.labelsToArray() : null;
            r.weights = table.layout().hasSampleWeight() ? table.weightsToArray() : null;
            r.labelType = String.valueOf(table.layout().labelType());
            r.allocatedBeforeClose = allocator.getAllocatedMemory();
        }
        r.skipped = reader.skippedRows();
        r.allocatedAfterClose = allocator.getAllocatedMemory();
        allocator.close();
        return r;
    }

    /** All partitions' features, concatenated in partition order. */
    static float[] features(List<PartitionResult> parts) {
        int n = 0;
        for (PartitionResult p : parts) {
            n += p.features.length;
        }
        float[] r = new float[n];
        int at = 0;
        for (PartitionResult p : parts) {
            System.arraycopy(p.features, 0, r, at, p.features.length);
            at += p.features.length;
        }
        return r;
    }

    static double[] labels(List<PartitionResult> parts) {
        List<Double> all = new ArrayList<>();
        for (PartitionResult p : parts) {
            for (double d : p.labels) {
                all.add(d);
            }
        }
        double[] r = new double[all.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = all.get(i);
        }
        return r;
    }
}
