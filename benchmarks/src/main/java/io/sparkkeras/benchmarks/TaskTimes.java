package io.sparkkeras.benchmarks;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Context for a bench's noisy pairs: the tasks of the jobs run since {@link #reset} (their wall times, so an
 * imbalance between tasks shows) and the JVM's garbage-collection time over the same span.
 *
 * <pre>{@code
 * TaskTimes times = TaskTimes.register(spark.sparkContext());
 * times.reset();
 * df.foreach(r -> { });
 * System.out.println(times.summary("transform_"));   // transform_tasks_ms=1061/1170 transform_gc_ms=17
 * }</pre>
 */
final class TaskTimes extends SparkListener {
    private final List<Long> taskMs = new ArrayList<>();
    private long gcAtReset;

    static TaskTimes register(org.apache.spark.SparkContext sc) {
        TaskTimes t = new TaskTimes();
        sc.addSparkListener(t);
        return t;
    }

    /** Starts a new span; read it once the listener bus has delivered the span's events. */
    synchronized void reset() {
        taskMs.clear();
        gcAtReset = gcMs();
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        taskMs.add(end.taskInfo().duration());
    }

    /**
     * {@code <prefix>tasks_ms=a/b <prefix>gc_ms=g} for the span so far: the tasks' wall times and the JVM's collection
     * time.
     */
    synchronized String summary(String prefix) {
        StringBuilder b = new StringBuilder(prefix).append("tasks_ms=");
        for (int i = 0; i < taskMs.size(); i++) {
            b.append(i > 0 ? "/" : "").append(taskMs.get(i));
        }
        return b.append(String.format(Locale.ROOT, " %sgc_ms=%d", prefix, gcMs() - gcAtReset)).toString();
    }

    static long gcMs() {
        long ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ms += Math.max(0, gc.getCollectionTime());
        }
        return ms;
    }
}
