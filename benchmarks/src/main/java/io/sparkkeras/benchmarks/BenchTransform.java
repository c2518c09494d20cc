package io.sparkkeras.benchmarks;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.datasets.FashionMnist;
import io.sparkkeras.examples.ReferenceModels;
import io.sparkkeras.models.Model;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.spark.KerasModel;
import io.sparkkeras.utils.NdArray;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Batch inference throughput: {@code KerasModel.transform} over a cached DataFrame of Fashion-MNIST images against
 * {@code predict} on the same model over the same rows in this JVM. Spark runs {@code local[T]} with T tasks; predict
 * gets the same T engine threads, so both sides use the whole machine.
 *
 * <pre>
 * bin/bench-transform [--models mlp,cnn] [--threads 2] [--rows 60000] [--repeats 3]
 * </pre>
 * With more rows than Fashion-MNIST's 60,000, the images repeat. Transform and predict alternate, {@code repeats}
 * pairs run back to back; each pair prints {@code PAIR model=... ratio=...} with the transform's task times, and for
 * both sides the collection pauses and the CPU time of the JVM's own threads (context for a slow pair). Then
 * {@code RESULT path=transform|predict model=... rows_per_sec=...} (best of each) and
 * {@code RATIO model=... transform/predict=... paired_median=... bound=...}, where the bound is what transform would
 * reach if it did nothing but a Spark job scanning the cached rows and the predict calls, one after the other.
 */
public final class BenchTransform {
    private BenchTransform() {
    }

    public static void main(String[] args) throws Exception {
        String models = "mlp,cnn";
        int threads = 2;
        int rows = 60000;
        int repeats = 3;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--models" -> models = args[i + 1];
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--rows" -> rows = Integer.parseInt(args[i + 1]);
                case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("Unknown option " + args[i]);
            }
        }
        if (repeats < 1 || rows < 2 || threads < 1) {
            throw new IllegalArgumentException("--repeats and --threads must be >= 1 and --rows >= 2; received "
                    + "repeats=" + repeats + ", threads=" + threads + ", rows=" + rows);
        }
        // One engine thread per task (and per predict thread): the T tasks themselves use the T cores.
        Engines.offlineWithThreads(1);
        FashionMnist.Data d = FashionMnist.loadData(FashionMnist.DEFAULT_DIR, Math.min(rows, 60000), 1);
        float[] images = FashionMnist.scaled(d.xTrain()).toFloatArray();
        int distinct = images.length / 784;
        int n = rows;
        // More rows than Fashion-MNIST's 60,000 repeat them in order: what is measured is rows/s, not the pixels.
        float[] all = new float[Math.multiplyExact(n, 784)];
        for (int i = 0; i < n; i += distinct) {
            System.arraycopy(images, 0, all, i * 784, Math.min(distinct, n - i) * 784);
        }
        NdArray x = NdArray.of(all, n, 28, 28);
        all = null;
        List<Row> data = new ArrayList<>(distinct);
        for (int i = 0; i < distinct; i++) {
            data.add(RowFactory.create((Object) Arrays.copyOfRange(images, i * 784, (i + 1) * 784)));
        }
        SparkSession spark = SparkSession.builder().master("local[" + threads + "]").appName("bench-transform")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.adaptive.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        TaskTimes times = TaskTimes.register(spark.sparkContext());
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType, false));
        Dataset<Row> images60k = spark.createDataFrame(data, schema);
        Dataset<Row> source = images60k;
        for (int i = distinct; i < n; i += distinct) {
            source = source.union(images60k);
        }
        // Cached in its columnar form: the source scan must not be what is measured.
        Dataset<Row> df = source.limit(n).repartition(threads).cache();
        df.count();
        for (org.apache.spark.storage.RDDInfo info : spark.sparkContext().getRDDStorageInfo()) {
            // Context: a cache that spilled to disk would make the scan, not transform, what is measured.
            System.out.printf(Locale.ROOT, "CACHE rdd=%d partitions=%d/%d memory_mb=%.0f disk_mb=%.0f%n", info.id(),
                    info.numCachedPartitions(), info.numPartitions(), info.memSize() / 1e6, info.diskSize() / 1e6);
        }
        Dataset<Row> tiny = spark.createDataFrame(data.subList(0, 2), schema).repartition(threads).cache();
        tiny.count();
        data = null;
        double scan = 0;
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            df.queryExecution().toRdd().toJavaRDD().foreach(row -> { });
            scan = Math.max(scan, n / ((System.nanoTime() - t0) / 1e9));
        }
        // Context: reading the cached rows alone, with no model, bounds what transform can reach.
        System.out.printf(Locale.ROOT, "RESULT path=scan threads=%d rows=%d rows_per_sec=%.0f%n", threads, n, scan);
        for (String m : models.split(",")) {
            boolean cnn = m.equals("cnn");
            Sequential model = cnn ? ReferenceModels.cnn() : ReferenceModels.mlp();
            KerasModel km = KerasModel.of(model);
            // Warm-up: loads the executor's models; a second pass lets the JIT settle, as for predict below.
            for (int w = 0; w < 2; w++) {
                km.transform(df).select("prediction").foreach(r -> { });
            }
            // Context: the fixed cost of one transform job (two rows), which a small input cannot amortize, and of
            // any Dataset job over the same two rows.
            double fixedMs = Double.MAX_VALUE;
            double plainMs = Double.MAX_VALUE;
            for (int r = 0; r <= repeats; r++) {
                long t0 = System.nanoTime();
                km.transform(tiny).select("prediction").foreach(row -> { });
                long t1 = System.nanoTime();
                tiny.select("features").foreach(row -> { });
                fixedMs = Math.min(fixedMs, (t1 - t0) / 1e6);
                plainMs = Math.min(plainMs, (System.nanoTime() - t1) / 1e6);
            }
            System.out.printf(Locale.ROOT, "RESULT path=transform-2-rows model=%s ms=%.1f plain_job_ms=%.1f%n", m,
                    fixedMs, plainMs);
            Predictors predictors = new Predictors(km, cnn ? x.reshape(n, 28, 28, 1) : x, threads);
            // Two warm-up passes, as for transform, so the JIT has settled before the first pair.
            predictors.run();
            predictors.run();
            // Transform and predict alternate, each pair back to back, so a slow minute of the machine hits both
            // sides of a pair: the median of the pairs' ratios is the steady figure, best over best the optimistic.
            double transform = 0;
            double predict = 0;
            double[] pairs = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                long gc0 = TaskTimes.gcMs();
                java.util.Map<String, Long> vm0 = TaskTimes.vmThreadTicks();
                double p1 = r % 2 == 1 ? predictors.run() : 0;
                long gc1 = TaskTimes.gcMs();
                long predictVm1 = TaskTimes.vmCpuMsSince(vm0);
                times.reset();
                long t0 = System.nanoTime();
                km.transform(df).select("prediction").foreach(row -> { });
                double t = n / ((System.nanoTime() - t0) / 1e9);
                spark.sparkContext().listenerBus().waitUntilEmpty();
                String transformTasks = times.summary("transform_");
                long gc2 = TaskTimes.gcMs();
                java.util.Map<String, Long> vm2 = TaskTimes.vmThreadTicks();
                double p = r % 2 == 1 ? p1 : predictors.run();
                long predictGc = r % 2 == 1 ? gc1 - gc0 : TaskTimes.gcMs() - gc2;
                long predictVm = r % 2 == 1 ? predictVm1 : TaskTimes.vmCpuMsSince(vm2);
                pairs[r] = t / p;
                transform = Math.max(transform, t);
                predict = Math.max(predict, p);
                // Context: a slow pair with one long task or a collection says where its time went.
                System.out.printf(Locale.ROOT, "PAIR model=%s transform=%.0f predict=%.0f ratio=%.3f %s "
                        + "predict_gc_ms=%d predict_vm_cpu_ms=%d%n", m, t, p, pairs[r], transformTasks, predictGc,
                        predictVm);
            }
            double median = Pairs.median(pairs);
            System.out.printf(Locale.ROOT, "RESULT path=transform model=%s threads=%d rows=%d rows_per_sec=%.0f%n", m,
                    threads, n, transform);
            System.out.printf(Locale.ROOT, "RESULT path=predict model=%s threads=%d rows=%d rows_per_sec=%.0f%n", m,
                    threads, n, predict);
            // The scan's time already holds one job's fixed cost.
            double bound = (n / predict) / (n / predict + n / scan);
            System.out.printf(Locale.ROOT, "RATIO model=%s rows=%d transform/predict=%.3f paired_median=%.3f "
                    + "bound=%.3f%n", m, n, transform / predict, median, bound);
            predictors.close();
            model.close();
        }
        spark.stop();
    }

    /**
     * predict over the same rows on T threads of this JVM, each predicting its share with its own copy of the model
     * and a one-thread engine: the best a hand-written program could do with the same model and cores.
     */
    private static final class Predictors implements AutoCloseable {
        private final Model[] copies;
        private final NdArray x;

        Predictors(KerasModel km, NdArray x, int threads) {
            this.x = x;
            copies = new Model[threads];
            for (int t = 0; t < threads; t++) {
                copies[t] = km.getModel();
            }
        }

        /** One pass over every row; returns rows/s. */
        double run() throws InterruptedException {
            int n = x.length();
            int threads = copies.length;
            Thread[] ts = new Thread[threads];
            AtomicReference<Throwable> failed = new AtomicReference<>();
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int from = (int) ((long) n * t / threads);
                int to = (int) ((long) n * (t + 1) / threads);
                Model m = copies[t];
                ts[t] = new Thread(() -> {
                    try (Backends.Selection s = Backends.use("torch")) {
                        m.predict(x.rows(from, to), 1024, 0);
                    } catch (Throwable e) {
                        failed.compareAndSet(null, e);
                    }
                });
                ts[t].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            if (failed.get() != null) {
                throw new IllegalStateException("predict failed", failed.get());
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        }

        @Override
        public void close() {
            for (Model m : copies) {
                m.close();
            }
        }
    }
}
