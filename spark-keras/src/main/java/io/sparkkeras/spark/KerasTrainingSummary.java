package io.sparkkeras.spark;

import io.sparkkeras.callbacks.History;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a {@link KerasEstimator#fit} went: the {@link History} (each epoch's loss and metrics averaged over all
 * workers), and per worker its rows, steps, training time, time in allreduce, and a checksum of its final weights
 * (equal on every worker when data-parallel training kept them in sync).
 */
public final class KerasTrainingSummary implements Serializable {
    private static final long serialVersionUID = 1L;

    private final LinkedHashMap<String, ArrayList<Double>> history;
    private final List<Integer> epochs;
    private final List<TaskResult> ranks;

    KerasTrainingSummary(List<TaskResult> results) {
        List<TaskResult> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparingInt(r -> r.rank));
        TaskResult first = sorted.get(0);
        this.history = first.history == null ? new LinkedHashMap<>() : first.history;
        this.epochs = first.epochs == null ? List.of() : List.copyOf(first.epochs);
        List<TaskResult> light = new ArrayList<>();
        for (TaskResult r : sorted) {
            TaskResult c = new TaskResult();
            c.rank = r.rank;
            c.host = r.host;
            c.rows = r.rows;
            c.stepsPerEpoch = r.stepsPerEpoch;
            c.stepsRun = r.stepsRun;
            c.trainNs = r.trainNs;
            c.allreduceNs = r.allreduceNs;
            c.weightsChecksum = r.weightsChecksum;
            c.initialEpoch = r.initialEpoch;
            light.add(c);
        }
        this.ranks = List.copyOf(light);
    }

    /** The History of the fit: per epoch, loss and metrics averaged over all workers. */
    public History history() {
        History h = new History();
        for (int i = 0; i < epochs.size(); i++) {
            Map<String, Double> logs = new LinkedHashMap<>();
            for (Map.Entry<String, ArrayList<Double>> e : history.entrySet()) {
                logs.put(e.getKey(), e.getValue().get(i));
            }
            h.onEpochEnd(epochs.get(i), logs);
        }
        return h;
    }

    /** Number of workers that trained. */
    public int numWorkers() {
        return ranks.size();
    }

    /** Training rows of each worker's partition, in rank order. */
    public List<Long> rowsPerWorker() {
        List<Long> r = new ArrayList<>();
        for (TaskResult t : ranks) {
            r.add(t.rows);
        }
        return r;
    }

    /** Steps per epoch, the same on every worker. */
    public long stepsPerEpoch() {
        return ranks.get(0).stepsPerEpoch;
    }

    /** Optimizer steps run by each worker in this fit. */
    public long stepsRun() {
        return ranks.get(0).stepsRun;
    }

    /** The epoch training started from (above 0 when resumed from a checkpoint). */
    public int initialEpoch() {
        return ranks.get(0).initialEpoch;
    }

    /** A CRC32 of each worker's final weights, in rank order. */
    public List<Long> weightsChecksums() {
        List<Long> r = new ArrayList<>();
        for (TaskResult t : ranks) {
            r.add(t.weightsChecksum);
        }
        return r;
    }

    /** Whether every worker ended with bit-identical weights. */
    public boolean weightsInSync() {
        return weightsChecksums().stream().distinct().count() == 1;
    }

    /** Mean milliseconds per step spent in the gradient allreduce (including waiting for peers), over workers. */
    public double allreduceMsPerStep() {
        double sum = 0;
        for (double ms : allreduceMsPerStepByWorker()) {
            sum += ms;
        }
        return sum / ranks.size();
    }

    /**
     * Milliseconds per step each worker spent in the gradient allreduce, in rank order. Most of it is waiting: the
     * slowest worker waits least, so a straggler shows as the one low value.
     *
     * <pre>{@code
     * List<Double> waits = model.summary().allreduceMsPerStepByWorker();   // e.g. [11.9, 0.4]: worker 1 lags
     * }</pre>
     */
    public List<Double> allreduceMsPerStepByWorker() {
        List<Double> r = new ArrayList<>();
        for (TaskResult t : ranks) {
            r.add(t.stepsRun == 0 ? 0 : t.allreduceNs / 1e6 / t.stepsRun);
        }
        return r;
    }

    /** Mean milliseconds per training step (everything: data, forward, backward, allreduce, update), over workers. */
    public double stepMs() {
        double sum = 0;
        for (TaskResult t : ranks) {
            sum += t.stepsRun == 0 ? 0 : t.trainNs / 1e6 / t.stepsRun;
        }
        return sum / ranks.size();
    }

    /** Seconds of training (the barrier tasks' fit), the slowest worker's. */
    public double trainSeconds() {
        long max = 0;
        for (TaskResult t : ranks) {
            max = Math.max(max, t.trainNs);
        }
        return max / 1e9;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "KerasTrainingSummary(workers=%d, rows=%s, stepsPerEpoch=%d, "
                        + "stepMs=%.2f, allreduceMsPerStep=%.3f, weightsInSync=%s, history=%s)", numWorkers(),
                rowsPerWorker(), stepsPerEpoch(), stepMs(), allreduceMsPerStep(), weightsInSync(), history);
    }
}
