package io.sparkkeras.data.bench;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.data.ArrowDataset;
import io.sparkkeras.data.ArrowTable;
import io.sparkkeras.data.BatchLayout;
import io.sparkkeras.data.ColumnSpec;
import io.sparkkeras.data.PartitionReader;
import io.sparkkeras.data.SparkTables;
import io.sparkkeras.utils.Batch;
import io.sparkkeras.utils.BatchIterator;
import io.sparkkeras.utils.NdArray;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

import static org.apache.spark.sql.functions.expr;

/**
 * Rows/s of three ways from a cached DataFrame of {@code rows × 784} floats plus an int label, on local[2]:
 * (a) ours, DataFrame partition → Arrow batches → float32 NdArray views ready for a tensor memcpy;
 * (b) Spark's internal Arrow path, {@code Dataset.toArrowBatchRdd} (private[sql], here only to measure);
 * (c) a naive {@code Row.getList} loop into {@code float[]}.
 * Each path runs once to warm up, then {@code runs} times; the best run counts. Prints {@code RESULT} lines and the
 * ratios a/b and a/c.
 *
 * <p>Usage: {@code bin/bench-pipeline [rows=200000] [runs=5] [batchRows=1024]}
 */
public final class PipelineBench {
    private static final int D = 784;

    private PipelineBench() {
    }

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int batchRows = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
        SparkSession spark = SparkSession.builder().master("local[2]").appName("bench-pipeline")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                .config("spark.driver.host", "127.0.0.1").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            Dataset<Row> df = spark.range(0, rows, 1, 2).select(
                    expr("transform(sequence(0, " + (D - 1) + "), i -> cast(((id * 7 + i) % 256) / 255.0 as float))")
                            .as("features"),
                    expr("cast(id % 10 as int)").as("label")).cache();
            long count = df.count();
            System.out.println("data: " + count + " rows x " + D + " float32 + int label, cached, 2 partitions, "
                    + "local[2]; batch " + batchRows + " rows; best of " + runs + " runs after 1 warm-up");
            double a = measure("arrow_dataframe_to_tensor_buffers", runs, count, () -> ours(df, batchRows));
            double b = measure("spark_internal_toArrowBatchRdd", runs, count, () -> sparkArrow(df));
            double c = measure("naive_row_getAs_loop", runs, count, () -> naive(df));
            System.out.printf("RATIO a/b=%.2f a/c=%.2f%n", a / b, a / c);
            // For context: the cached scan alone (the floor under every path), and the trainer's side, an epoch of
            // shuffled batches of 128 from an in-memory Arrow table with prefetch.
            measure("context_scan_only", runs, count, () -> scanOnly(df));
            try (RootAllocator allocator = new RootAllocator();
                 ArrowTable table = SparkTables.collect(df, ColumnSpec.features("features").label("label"),
                         allocator, ArrowTable.DEFAULT_CHUNK_ROWS);
                 ArrowDataset data = ArrowDataset.builder(table).batchSize(128).shuffle(true).seed(1)
                         .featureShape(28, 28, 1).allocator(allocator).build()) {
                int[] epoch = {0};
                measure("context_arrow_dataset_epoch_shuffled_b128", runs, count, () -> epoch(data, epoch[0]++));
            }
        } finally {
            spark.stop();
        }
    }

    private interface Job {
        long run();
    }

    private static double measure(String path, int runs, long expectedRows, Job job) {
        check(path, job.run(), expectedRows);
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            long n = job.run();
            double s = (System.nanoTime() - t0) / 1e9;
            check(path, n, expectedRows);
            rates.add(n / s);
        }
        double best = Collections.max(rates);
        Collections.sort(rates);
        System.out.printf("RESULT path=%s rows_per_sec=%.0f median=%.0f%n", path, best, rates.get(rates.size() / 2));
        return best;
    }

    private static void check(String path, long n, long expected) {
        if (n != expected) {
            throw new IllegalStateException(path + " read " + n + " rows, expected " + expected);
        }
    }

    /** (a) Each task writes its partition into a reused Arrow root and wraps it as float32/int32 NdArrays. */
    static long ours(Dataset<Row> df, int batchRows) {
        StructType schema = df.schema();
        ColumnSpec spec = ColumnSpec.features("features").label("label").featureSize(D);
        return df.queryExecution().toRdd().toJavaRDD().mapPartitions((Iterator<InternalRow> it) -> {
            long n = 0;
            double sink = 0;
            PartitionReader reader = PartitionReader.ofInternalRows(schema, it, spec);
            BatchLayout layout = reader.layout();
            try (RootAllocator allocator = new RootAllocator();
                 VectorSchemaRoot root = layout.newRoot(allocator, batchRows)) {
                int k;
                while ((k = reader.fill(root, batchRows)) > 0) {
                    NdArray x = NdArray.wrap(layout.featureValues(root).getDataBuffer().nioBuffer(0, 4 * D * k),
                            DType.FLOAT32, Shape.of(k, D));
                    NdArray y = NdArray.wrap(layout.labelVector(root).getDataBuffer().nioBuffer(0, 4 * k),
                            DType.INT32, Shape.of(k));
                    sink += x.getDouble((long) (k - 1) * D + D - 1) + y.getDouble(k - 1);
                    n += k;
                }
            }
            return List.of(sink >= 0 ? n : -n).iterator();
        }).reduce(Long::sum);
    }

    /** Iterating the cached rows and nothing else. */
    static long scanOnly(Dataset<Row> df) {
        return df.queryExecution().toRdd().toJavaRDD().mapPartitions((Iterator<InternalRow> it) -> {
            long n = 0;
            while (it.hasNext()) {
                if (it.next().numFields() == 2) {
                    n++;
                }
            }
            return List.of(n).iterator();
        }).reduce(Long::sum);
    }

    /** One epoch of an ArrowDataset, touching each batch as the trainer's memcpy would. */
    static long epoch(ArrowDataset data, int epoch) {
        long n = 0;
        double sink = 0;
        try (BatchIterator it = data.iterator(epoch)) {
            while (it.hasNext()) {
                try (Batch b = it.next()) {
                    sink += b.inputs().get(0).getDouble(0) + b.targets().getDouble(0);
                    n += b.size();
                }
            }
        }
        return sink >= 0 ? n : -n;
    }

    /** (b) Spark's own DataFrame → Arrow IPC batches (what PySpark's toPandas and mapInArrow use). */
    static long sparkArrow(Dataset<Row> df) {
        org.apache.spark.rdd.RDD<byte[]> batches = ((org.apache.spark.sql.classic.Dataset<Row>) df).toArrowBatchRdd();
        long bytes = batches.toJavaRDD().map(b -> (long) b.length).reduce(Long::sum);
        if (bytes < (long) 4 * D) {
            throw new IllegalStateException("toArrowBatchRdd produced " + bytes + " bytes");
        }
        return df.count();
    }

    /** (c) The loop people write first: Row.getList per row, unboxing each Float into a float[]. */
    static long naive(Dataset<Row> df) {
        return df.javaRDD().mapPartitions((Iterator<Row> it) -> {
            float[] x = new float[D];
            long n = 0;
            double sink = 0;
            while (it.hasNext()) {
                Row r = it.next();
                List<Float> f = r.getList(0);
                for (int j = 0; j < D; j++) {
                    x[j] = f.get(j);
                }
                int label = r.<Integer>getAs("label");
                sink += x[D - 1] + label;
                n++;
            }
            return List.of(sink >= 0 ? n : -n).iterator();
        }).reduce(Long::sum);
    }
}
