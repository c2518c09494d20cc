package io.sparkkeras.callbacks;

import io.sparkkeras.metrics.Metric;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * What {@link EarlyStopping}, {@link ReduceLROnPlateau} and {@link ModelCheckpoint} share: Keras's
 * {@code MonitorCallback}. It picks the comparison from {@code mode} ({@code "min"}, {@code "max"}, or
 * {@code "auto"}: minimize {@code loss}/{@code val_loss}, otherwise follow the compiled metric's direction) and says
 * whether a value improves on a reference by more than {@code min_delta}.
 */
abstract class MonitorCallback extends Callback {
    private static final List<String> MODES = List.of("auto", "min", "max");

    final String monitor;
    final String mode;
    private final double minDeltaAbs;
    /** {@code null} until resolved: {@code TRUE} when smaller is better. */
    private Boolean lessIsBetter;
    Double best;
    /** The last warning logged (a monitored metric missing from the logs), for tests; {@code null} if none. */
    String lastWarning;

    MonitorCallback(String monitor, String mode, Double baseline, double minDelta) {
        if (monitor == null || monitor.isEmpty()) {
            throw new IllegalArgumentException("Received an invalid value for `monitor`, expected a metric name such "
                    + "as \"val_loss\". Received: monitor=" + monitor);
        }
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException("Received an invalid value for `mode`, expected one of " + MODES
                    + ". Received: mode=" + mode);
        }
        this.monitor = monitor;
        this.mode = mode;
        this.best = baseline;
        this.minDeltaAbs = Math.abs(minDelta);
    }

    /** Resolves the comparison once the model's metrics are known; Keras's {@code _set_monitor_op}. */
    final void setMonitorOp() {
        if ("min".equals(mode)) {
            lessIsBetter = true;
        } else if ("max".equals(mode)) {
            lessIsBetter = false;
        } else {
            String metric = monitor.startsWith("val_") ? monitor.substring(4) : monitor;
            if ("loss".equals(metric)) {
                lessIsBetter = true;
            }
            if (model() != null) {
                for (Metric m : model().metrics()) {
                    if (m.name().equals(metric) && m.direction() != null) {
                        lessIsBetter = !"up".equals(m.direction());
                    }
                }
            }
            if (lessIsBetter == null) {
                throw new IllegalArgumentException(getClass().getSimpleName() + " callback received monitor="
                        + monitor + ", but Keras isn't able to automatically determine whether that metric should "
                        + "be maximized or minimized. Pass `mode='max'` in order to monitor based on the highest "
                        + "metric value, or pass `mode='min'` in order to use the lowest value.");
            }
        }
    }

    final boolean monitorOpSet() {
        return lessIsBetter != null;
    }

    /** Whether {@code current} beats {@code reference} ({@code null}: always) by more than {@code min_delta}. */
    final boolean isImprovement(double current, Double reference) {
        if (reference == null) {
            return true;
        }
        return lessIsBetter ? current + minDeltaAbs < reference : current - minDeltaAbs > reference;
    }

    /** Logs a warning as Keras's {@code warnings.warn} and keeps it in {@link #lastWarning}. */
    final void warn(String message) {
        lastWarning = message;
        LoggerFactory.getLogger(getClass()).warn(message);
    }

    /** The comma-separated metric names of {@code logs}, for warnings. */
    static String available(Map<String, Double> logs) {
        return String.join(",", logs.keySet());
    }
}
