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
 * imbalance between tasks shows), the JVM's garbage-collection pauses and the CPU time of its own threads (collector
 * and compilers) over the same span.
 *
 * <pre>{@code
 * TaskTimes times = TaskTimes.register(spark.sparkContext());
 * times.reset();
 * df.foreach(r -> { });
 * System.out.println(times.summary("transform_"));   // transform_tasks_ms=1061/1170 transform_gc_ms=17 ...
 * }</pre>
 */
final class TaskTimes extends SparkListener {
    private final List<Long> taskMs = new ArrayList<>();
    private long gcAtReset;
    private java.util.Map<String, Long> vmAtReset = java.util.Map.of();

    static TaskTimes register(org.apache.spark.SparkContext sc) {
        TaskTimes t = new TaskTimes();
        sc.addSparkListener(t);
        return t;
    }

    /** Starts a new span; read it once the listener bus has delivered the span's events. */
    synchronized void reset() {
        taskMs.clear();
        gcAtReset = gcMs();
        vmAtReset = vmThreadTicks();
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
        return b.append(String.format(Locale.ROOT, " %sgc_ms=%d %svm_cpu_ms=%d", prefix, gcMs() - gcAtReset, prefix,
                vmCpuMsSince(vmAtReset))).toString();
    }

    /**
     * CPU ticks so far of each of the JVM's own threads (garbage collection, including G1's concurrent marking, and
     * the JIT compilers) by thread id, read from {@code /proc/self/task}: time they take from the cores the work runs
     * on, which {@link #gcMs} (pauses only) does not show. Empty where {@code /proc} is not there.
     */
    static java.util.Map<String, Long> vmThreadTicks() {
        java.util.Map<String, Long> ticks = new java.util.HashMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return ticks;
        }
        for (java.io.File t : tasks) {
            try {
                String stat = java.nio.file.Files.readString(t.toPath().resolve("stat"));
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                String name = stat.substring(open + 1, close);
                if (name.startsWith("G1 ") || name.startsWith("GC ") || name.startsWith("C1 ")
                        || name.startsWith("C2 ") || name.equals("VM Thread")) {
                    String[] f = stat.substring(close + 2).split(" ");
                    ticks.put(t.getName(), Long.parseLong(f[11]) + Long.parseLong(f[12]));   // utime + stime
                }
            } catch (java.io.IOException | RuntimeException e) {
                // the thread exited while we read: its time is gone either way
            }
        }
        return ticks;
    }

    /**
     * CPU milliseconds the JVM's own threads spent since {@code before} (from {@link #vmThreadTicks}). Compiler
     * threads come and go: one that exited in between is not counted, none counts below zero.
     */
    static long vmCpuMsSince(java.util.Map<String, Long> before) {
        long ticks = 0;
        for (java.util.Map.Entry<String, Long> e : vmThreadTicks().entrySet()) {
            ticks += Math.max(0, e.getValue() - before.getOrDefault(e.getKey(), 0L));
        }
        return ticks * 10;   // USER_HZ is 100 on Linux
    }

    static long gcMs() {
        long ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ms += Math.max(0, gc.getCollectionTime());
        }
        return ms;
    }
}
