package io.sparkkeras.callbacks;

import io.sparkkeras.optimizers.Optimizer;

import java.util.Map;

/**
 * Sets the learning rate at the start of each epoch from {@code schedule(epoch, lr)}. Keras's
 * {@code LearningRateScheduler}; adds {@code "learning_rate"} to the epoch logs.
 *
 * <pre>{@code
 * Callback c = new LearningRateScheduler((epoch, lr) -> epoch < 10 ? lr : lr * Math.exp(-0.1));
 * }</pre>
 *
 * <p>Needs an optimizer with a fixed learning rate (not a {@code LearningRateSchedule}).
 */
public final class LearningRateScheduler extends Callback {
    /** The new learning rate from the epoch index (zero-based) and the current rate. */
    @FunctionalInterface
    public interface Schedule extends java.io.Serializable {
        double apply(int epoch, double learningRate);
    }

    private final Schedule schedule;
    private final int verbose;

    /** @param schedule {@code (epoch, lr) -> new lr} */
    public LearningRateScheduler(Schedule schedule) {
        this(schedule, 0);
    }

    /** @param verbose 1 prints each new rate. Defaults to {@code 0}. */
    public LearningRateScheduler(Schedule schedule, int verbose) {
        if (schedule == null) {
            throw new IllegalArgumentException("Received an invalid value for `schedule`, expected a function "
                    + "(epoch, lr) -> lr. Received: schedule=null");
        }
        this.schedule = schedule;
        this.verbose = verbose;
    }

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
        Optimizer optimizer = model().optimizer();
        double lr = schedule.apply(epoch, optimizer.currentLearningRate());
        if (Double.isNaN(lr)) {
            throw new IllegalArgumentException("The output of the `schedule` function should be a float. Got: " + lr);
        }
        optimizer.setLearningRate(lr);
        if (verbose > 0) {
            System.out.println("\nEpoch " + (epoch + 1) + ": LearningRateScheduler setting learning rate to " + lr
                    + ".");
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        putLearningRate(logs, model().optimizer().currentLearningRate());
    }

    /** Adds {@code "learning_rate"} to {@code logs} when they can be written (fit's epoch logs can). */
    static void putLearningRate(Map<String, Double> logs, double lr) {
        try {
            logs.put("learning_rate", lr);
        } catch (UnsupportedOperationException readOnly) {
            // Logs handed in by a caller as an immutable map: nothing to record into.
        }
    }
}
