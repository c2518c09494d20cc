package io.sparkkeras.data;

import io.sparkkeras.utils.Batch;
import io.sparkkeras.utils.BatchIterator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hot paths allocate nothing per row, and a few small objects per batch (the Batch and its NdArray views). */
@Timeout(120)
class AllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long allocated() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void fillingArrowFromUnsafeRowsAllocatesNothingPerRow() {
        Dataset<Row> df = TestSpark.get().range(0, 4000, 1, 1).select(
                expr("transform(sequence(0, 99), i -> cast(id + i as float))").as("features"),
                expr("cast(id % 10 as int)").as("label"));
        // Spark's UnsafeRows, copied out of the plan, so that only our code runs while measuring.
        List<InternalRow> rows = Arrays.asList(df.queryExecution().executedPlan().executeCollect());
        ColumnSpec spec = ColumnSpec.features("features").label("label");
        try (RootAllocator allocator = new RootAllocator()) {
            long perRun = Long.MAX_VALUE;
            for (int run = 0; run < 5; run++) {
                PartitionReader reader = PartitionReader.ofInternalRows(df.schema(), rows.iterator(), spec, 0);
                try (VectorSchemaRoot root = reader.layout().newRoot(allocator, 1000)) {
                    long before = allocated();
                    int n = 0;
                    for (int k = 0; k < 4; k++) {
                        n += reader.fill(root, 1000);
                    }
                    perRun = Math.min(perRun, allocated() - before);
                    assertEquals(4000, n);
                }
            }
            assertTrue(perRun < 1024, "filling 4000 rows allocated " + perRun + " bytes");
            assertEquals(0, allocator.getAllocatedMemory());
        }
    }

    @Test
    void anEpochAllocatesOnlyPerBatchObjects() {
        try (RootAllocator allocator = new RootAllocator();
             ArrowTable table = ArrowTable.fromArrays(allocator, new float[20_000 * 16], 16, new int[20_000], 4096);
             ArrowDataset data = ArrowDataset.builder(table).batchSize(100).shuffle(true).seed(1).prefetch(0)
                     .allocator(allocator).build()) {
            long best = Long.MAX_VALUE;
            for (int epoch = 0; epoch < 5; epoch++) {
                try (BatchIterator it = data.iterator(epoch)) {
                    long before = allocated();
                    int batches = 0;
                    while (it.hasNext()) {
                        try (Batch b = it.next()) {
                            batches++;
                        }
                    }
                    assertEquals(200, batches);
                    best = Math.min(best, (allocated() - before) / batches);
                }
            }
            assertTrue(best < 2048, "bytes per batch: " + best);
        }
    }
}
