package io.sparkkeras.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.CollectionAccumulator;
import scala.Option;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Rank 0's one line per epoch, shown on the driver's console wherever rank 0 runs. In the driver's own JVM (local
 * mode) rank 0 prints directly. On an executor it adds the line to an accumulator, which Spark ships to the driver
 * with each executor heartbeat ({@code spark.executor.heartbeatInterval}, 10 s by default) and at the task's end; a
 * listener on the driver prints the lines it has not shown yet. Spark's own channel: no extra port or connection.
 *
 * <pre>{@code
 * DriverProgress progress = DriverProgress.start(sc, System.out::println);   // driver
 * spec.progress = progress.emitter();
 * spec.progress.emit("Epoch 1/10 - ...");                                     // rank 0, anywhere
 * progress.close();                                                           // driver, after the job
 * }</pre>
 */
final class DriverProgress extends SparkListener implements AutoCloseable {
    private final SparkContext sc;
    private final CollectionAccumulator<String> lines;
    private final Consumer<String> out;
    /** Lines shown so far (each is unique: it names its epoch and carries its timings). */
    private final Set<String> shown = new HashSet<>();

    private final boolean alwaysAccumulate;

    private DriverProgress(SparkContext sc, Consumer<String> out, boolean alwaysAccumulate) {
        this.sc = sc;
        this.out = out;
        this.alwaysAccumulate = alwaysAccumulate;
        this.lines = sc.collectionAccumulator("keras-progress");
    }

    /**
     * @param alwaysAccumulate send lines through the accumulator even from the driver's JVM (tests of the executor
     *        path in local mode)
     */
    static DriverProgress start(SparkContext sc, Consumer<String> out, boolean alwaysAccumulate) {
        DriverProgress p = new DriverProgress(sc, out, alwaysAccumulate);
        sc.addSparkListener(p);
        return p;
    }

    /** What rank 0 holds: serializable, shipped with the task. */
    Emitter emitter() {
        return new Emitter(lines, alwaysAccumulate);
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> t
                : CollectionConverters.asJava(update.accumUpdates())) {
            show(CollectionConverters.asJava(t._4()));
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        show(CollectionConverters.asJava(end.taskInfo().accumulables()));
    }

    private void show(List<AccumulableInfo> infos) {
        for (AccumulableInfo info : infos) {
            // A heartbeat carries the task's list so far as the update; the task's end, its final list.
            Option<Object> update = info.update();
            if (info.id() == lines.id() && update.isDefined() && update.get() instanceof List<?> list) {
                showNew(list);
            }
        }
    }

    private synchronized void showNew(List<?> list) {
        for (Object line : list) {
            if (shown.add(String.valueOf(line))) {
                out.accept(String.valueOf(line));
            }
        }
    }

    /**
     * Stops listening, then shows what the listener bus had not delivered yet: the job's merged list is complete
     * once the job has returned.
     */
    @Override
    public void close() {
        sc.removeSparkListener(this);
        showNew(lines.value());
    }

    /** Rank 0's side: prints in the driver's JVM, else sends through the accumulator. */
    static final class Emitter implements Serializable {
        private static final long serialVersionUID = 1L;
        /** The driver's executor id (Spark's {@code SparkContext.DRIVER_IDENTIFIER}, not public). */
        private static final String DRIVER = "driver";
        private final CollectionAccumulator<String> lines;
        private final boolean alwaysAccumulate;

        Emitter(CollectionAccumulator<String> lines, boolean alwaysAccumulate) {
            this.lines = lines;
            this.alwaysAccumulate = alwaysAccumulate;
        }

        void emit(String line) {
            SparkEnv env = SparkEnv.get();
            if (!alwaysAccumulate && (env == null || DRIVER.equals(env.executorId()))) {
                System.out.println(line);
            } else {
                lines.add(line);
            }
        }
    }
}
