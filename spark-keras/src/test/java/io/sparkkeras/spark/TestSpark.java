package io.sparkkeras.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** The one local[2] SparkSession all tests of this module share, and small data sets. */
final class TestSpark {
    static final StructType FLOATS = new StructType()
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("label", DataTypes.IntegerType, false);

    private static SparkSession session;

    private TestSpark() {
    }

    static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[2]")
                    .appName("spark-keras-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.sql.adaptive.enabled", "false")
                    .config("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "1")
                    .config("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s")
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

    /**
     * {@code n} rows of {@code d} features in three separable-ish classes: class {@code c} has its mean at feature
     * {@code c} (plus noise). Deterministic for a seed.
     */
    static List<Row> blobs(int n, int d, long seed) {
        Random r = new Random(seed);
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(3);
            Float[] x = new Float[d];
            for (int j = 0; j < d; j++) {
                x[j] = (float) (r.nextGaussian() * 0.5 + (j == c ? 2.0 : 0.0));
            }
            rows.add(RowFactory.create(x, c));
        }
        return rows;
    }

    /** An exception and its causes, one per line: Spark wraps a task's error in its own. */
    static String messages(Throwable e) {
        StringBuilder m = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            m.append(t).append('\n');
        }
        return m.toString();
    }
}
