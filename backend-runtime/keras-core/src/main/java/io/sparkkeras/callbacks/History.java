package io.sparkkeras.callbacks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records each epoch's logs: what {@code fit} returns. Keras's {@code History}.
 *
 * <pre>{@code
 * History h = model.fit(x, y, new FitOptions().epochs(3));
 * List<Double> losses = h.history().get("loss");
 * h.plot(Path.of("history.png"));
 * }</pre>
 */
public final class History extends Callback {
    private final Map<String, List<Double>> history = new LinkedHashMap<>();
    private final List<Integer> epochs = new ArrayList<>();
    /** The epochs each key was logged at: {@code val_} keys skip epochs under {@code validationFreq}. */
    private final Map<String, List<Integer>> epochsOf = new LinkedHashMap<>();

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        // Keras keeps history across fit calls on the same model only through model.history; start fresh here.
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        epochs.add(epoch);
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            history.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
            epochsOf.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(epoch);
        }
    }

    /** The epochs (zero-based) at which {@code metric} has a value, in the order of {@link #history()}'s list. */
    public List<Integer> epochsOf(String metric) {
        List<Integer> e = epochsOf.get(metric);
        return e == null ? List.of() : Collections.unmodifiableList(e);
    }

    /** Metric name to its value per epoch. */
    public Map<String, List<Double>> history() {
        return Collections.unmodifiableMap(history);
    }

    /** The epochs recorded (zero-based). */
    public List<Integer> epoch() {
        return Collections.unmodifiableList(epochs);
    }

    /** The last epoch's value of {@code metric}. */
    public double last(String metric) {
        List<Double> v = history.get(metric);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("No metric named '" + metric + "' in the history. Available: "
                    + history.keySet());
        }
        return v.get(v.size() - 1);
    }

    /** Writes a PNG of every metric per epoch, one panel for losses and one for the rest. */
    public void plot(java.nio.file.Path png) throws java.io.IOException {
        HistoryPlot.write(this, png);
    }

    @Override
    public String toString() {
        return "History" + history;
    }
}
