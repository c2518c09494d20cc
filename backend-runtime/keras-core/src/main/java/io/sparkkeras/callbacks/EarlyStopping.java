package io.sparkkeras.callbacks;

import io.sparkkeras.utils.NdArray;

import java.util.List;
import java.util.Map;

/**
 * Stops training when a monitored metric has stopped improving. Keras's {@code EarlyStopping}: after each epoch
 * the monitored value is compared with the best so far; after {@code patience} epochs without an improvement of
 * more than {@code min_delta}, {@code fit} stops. With {@code restore_best_weights}, the weights of the best epoch
 * are put back when training ends.
 *
 * <pre>{@code
 * model.fit(x, y, new FitOptions().epochs(100).validationSplit(0.2)
 *         .callbacks(EarlyStopping.builder().monitor("val_loss").patience(2).restoreBestWeights(true).build()));
 * }</pre>
 *
 * <p>Used on the training thread only; its state is reset by {@code onTrainBegin}, so one instance can serve
 * several {@code fit} calls.
 */
public final class EarlyStopping extends MonitorCallback {

    private final double minDelta;
    private final int patience;
    private final int verbose;
    private final Double baseline;
    private final boolean restoreBestWeights;
    private final int startFromEpoch;
    private int wait;
    private int stoppedEpoch;
    private int bestEpoch;
    private transient List<NdArray> bestWeights;

    /** Keras's defaults: monitor {@code "val_loss"}, patience 0. */
    public EarlyStopping() {
        this(builder());
    }

    private EarlyStopping(Builder b) {
        super(b.monitor, b.mode, null, b.minDelta);
        if (b.patience < 0) {
            throw new IllegalArgumentException("Received an invalid value for `patience`, expected an integer >= 0. "
                    + "Received: patience=" + b.patience);
        }
        if (b.startFromEpoch < 0) {
            throw new IllegalArgumentException("Received an invalid value for `start_from_epoch`, expected an "
                    + "integer >= 0. Received: start_from_epoch=" + b.startFromEpoch);
        }
        this.minDelta = b.minDelta;
        this.patience = b.patience;
        this.verbose = b.verbose;
        this.baseline = b.baseline;
        this.restoreBestWeights = b.restoreBestWeights;
        this.startFromEpoch = b.startFromEpoch;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        // Allow instances to be re-used across fit calls.
        wait = 0;
        stoppedEpoch = 0;
        best = null;
        bestWeights = null;
        bestEpoch = 0;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (!monitorOpSet()) {
            setMonitorOp();
        }
        Double current = logs.get(monitor);
        if (current == null) {
            warn("Early stopping conditioned on metric `" + monitor + "` which is not available. Available metrics "
                    + "are: " + available(logs));
            return;
        }
        if (epoch < startFromEpoch) {
            return;
        }
        if (restoreBestWeights && bestWeights == null) {
            // If best weights were never set, the current weights are the best.
            bestWeights = model().getWeights();
            bestEpoch = epoch;
        }
        wait++;
        if (isImprovement(current, best)) {
            best = current;
            bestEpoch = epoch;
            if (restoreBestWeights) {
                bestWeights = model().getWeights();
            }
            // Only restart wait if we beat both the baseline and our previous best.
            if (baseline == null || isImprovement(current, baseline)) {
                wait = 0;
            }
            return;
        }
        if (wait >= patience && epoch > 0) {
            stoppedEpoch = epoch;
            model().setStopTraining(true);
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        if (stoppedEpoch > 0 && verbose > 0) {
            System.out.println("Epoch " + (stoppedEpoch + 1) + ": early stopping");
        }
        if (restoreBestWeights && bestWeights != null) {
            if (verbose > 0) {
                System.out.println("Restoring model weights from the end of the best epoch: " + (bestEpoch + 1) + ".");
            }
            model().setWeights(bestWeights);
        }
    }

    /** Epochs since the last improvement. */
    public int waitCount() {
        return wait;
    }

    /** The epoch (zero-based) at which training was stopped, or 0. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }

    /** The best monitored value so far, or {@code null}. */
    public Double best() {
        return best;
    }

    /** The epoch (zero-based) of the best value. */
    public int bestEpoch() {
        return bestEpoch;
    }

    public double minDelta() {
        return minDelta;
    }

    /** Keras's EarlyStopping arguments. */
    public static final class Builder {
        private String monitor = "val_loss";
        private double minDelta;
        private int patience;
        private int verbose;
        private String mode = "auto";
        private Double baseline;
        private boolean restoreBestWeights;
        private int startFromEpoch;

        private Builder() {
        }

        /** Defaults to {@code "val_loss"}. */
        public Builder monitor(String monitor) {
            this.monitor = monitor;
            return this;
        }

        /** Smallest change that counts as an improvement. Defaults to {@code 0}. */
        public Builder minDelta(double minDelta) {
            this.minDelta = minDelta;
            return this;
        }

        /** Epochs without improvement before stopping. Defaults to {@code 0}. */
        public Builder patience(int patience) {
            this.patience = patience;
            return this;
        }

        /** 1 prints when it stops. Defaults to {@code 0}. */
        public Builder verbose(int verbose) {
            this.verbose = verbose;
            return this;
        }

        /** {@code "auto"}, {@code "min"} or {@code "max"}. Defaults to {@code "auto"}. */
        public Builder mode(String mode) {
            this.mode = mode;
            return this;
        }

        /** Value the monitored quantity must beat to reset the patience. Defaults to {@code null}. */
        public Builder baseline(double baseline) {
            this.baseline = baseline;
            return this;
        }

        /** Put back the best epoch's weights at the end. Defaults to {@code false}. */
        public Builder restoreBestWeights(boolean restoreBestWeights) {
            this.restoreBestWeights = restoreBestWeights;
            return this;
        }

        /** Warm-up epochs during which nothing is monitored. Defaults to {@code 0}. */
        public Builder startFromEpoch(int startFromEpoch) {
            this.startFromEpoch = startFromEpoch;
            return this;
        }

        public EarlyStopping build() {
            return new EarlyStopping(this);
        }
    }
}
