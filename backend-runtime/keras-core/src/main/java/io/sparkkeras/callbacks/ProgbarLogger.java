package io.sparkkeras.callbacks;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Keras's progress bar: {@code 12/469 [>.....] - ETA: 3s - loss: 0.5123 - accuracy: 0.8211} redrawn in place on a
 * terminal, then one summary line per epoch ({@code 469/469 - 5s 11ms/step - loss: ...}). With {@code verbose=2},
 * or when stdout is not a terminal, only the per-epoch line is printed. Redraws are throttled (Keras's
 * {@code 0.05 s}) so the bar costs nothing measurable per step.
 */
public final class ProgbarLogger extends Callback {
    private static final long REDRAW_NS = 50_000_000L;
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final int verbose;
    private final boolean interactive;
    private long target;
    private long epochStartNs;
    private long lastDrawNs;
    private int epochs;

    /** @param verbose 1 for the bar, 2 for a line per epoch */
    public ProgbarLogger(int verbose) {
        this(verbose, System.out, System.console() != null);
    }

    public ProgbarLogger(int verbose, PrintStream out, boolean interactive) {
        this.verbose = verbose;
        this.out = out;
        this.interactive = interactive && verbose == 1;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        Object e = params().get("epochs");
        epochs = e == null ? 1 : ((Number) e).intValue();
    }

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
        Object s = params().get("steps");
        target = s == null ? -1 : ((Number) s).longValue();
        out.println("Epoch " + (epoch + 1) + "/" + epochs);
        epochStartNs = System.nanoTime();
        lastDrawNs = 0;
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
        if (!interactive) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDrawNs < REDRAW_NS && batch + 1 != target) {
            return;
        }
        lastDrawNs = now;
        StringBuilder b = new StringBuilder("\r");
        long done = batch + 1;
        b.append(bar(done));
        double perStepS = (now - epochStartNs) / 1e9 / done;
        if (target > 0 && done < target) {
            b.append(" - ETA: ").append(formatSeconds(perStepS * (target - done)));
        }
        appendLogs(b, logs);
        out.print(b);
        out.flush();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        long elapsedNs = System.nanoTime() - epochStartNs;
        long steps = Math.max(1, target);
        StringBuilder b = new StringBuilder(interactive ? "\r" : "");
        b.append(bar(target)).append(" - ").append(formatSeconds(elapsedNs / 1e9)).append(' ')
                .append(String.format(Locale.ROOT, "%.0fms/step", elapsedNs / 1e6 / steps));
        appendLogs(b, logs);
        out.println(b);
    }

    /**
     * The line the bar ends on when stdout is not a terminal, for a pass that took {@code steps} steps in
     * {@code elapsedNs}: {@code 79/79 - 1s 9ms/step - loss: 0.3512 - accuracy: 0.8741}. {@code evaluate} prints it.
     */
    public static String summaryLine(long steps, long elapsedNs, Map<String, Double> logs) {
        StringBuilder b = new StringBuilder().append(steps).append('/').append(steps).append(" - ")
                .append(formatSeconds(elapsedNs / 1e9)).append(' ')
                .append(String.format(Locale.ROOT, "%.0fms/step", elapsedNs / 1e6 / Math.max(1, steps)));
        appendLogs(b, logs);
        return b.toString();
    }

    private String bar(long done) {
        if (target <= 0) {
            return done + "/Unknown";
        }
        String count = done + "/" + target;
        if (!interactive) {
            return count;
        }
        int filled = (int) (WIDTH * done / target);
        StringBuilder b = new StringBuilder(count).append(" [");
        for (int i = 0; i < WIDTH; i++) {
            b.append(i < filled ? '=' : i == filled ? '>' : '.');
        }
        return b.append(']').toString();
    }

    private static void appendLogs(StringBuilder b, Map<String, Double> logs) {
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            b.append(" - ").append(e.getKey()).append(": ").append(format(e.getValue()));
        }
    }

    private static String format(double v) {
        return Math.abs(v) >= 1e-3 || v == 0 ? String.format(Locale.ROOT, "%.4f", v)
                : String.format(Locale.ROOT, "%.4e", v);
    }

    private static String formatSeconds(double s) {
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", (long) s / 3600, ((long) s % 3600) / 60, (long) s % 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%d:%02d", (long) s / 60, (long) s % 60);
        }
        return String.format(Locale.ROOT, "%ds", Math.round(s));
    }
}
