package io.sparkkeras.callbacks;

import io.sparkkeras.optimizers.Optimizer;

import java.util.Map;

/**
 * Reduces the learning rate when a metric has stopped improving. Keras's {@code ReduceLROnPlateau}: after
 * {@code patience} epochs without an improvement of more than {@code min_delta}, the rate becomes
 * {@code max(lr * factor, min_lr)}, then {@code cooldown} epochs pass before counting again. Adds
 * {@code "learning_rate"} to the epoch logs.
 *
 * <pre>{@code
 * model.fit(x, y, new FitOptions().epochs(50).validationSplit(0.2)
 *         .callbacks(ReduceLROnPlateau.builder().factor(0.2).patience(5).minLr(1e-5).build()));
 * }</pre>
 *
 * <p>Needs an optimizer with a fixed learning rate (not a {@code LearningRateSchedule}).
 */
public final class ReduceLROnPlateau extends MonitorCallback {

    private final double factor;
    private final int patience;
    private final int verbose;
    private final double minDelta;
    private final int cooldown;
    private final double minLr;
    private int cooldownCounter;
    private int wait;

    /** Keras's defaults: monitor {@code "val_loss"}, factor 0.1, patience 10. */
    public ReduceLROnPlateau() {
        this(builder());
    }

    private ReduceLROnPlateau(Builder b) {
        super(b.monitor, b.mode, null, b.minDelta);
        if (b.factor >= 1.0) {
            throw new IllegalArgumentException("ReduceLROnPlateau does not support a factor >= 1.0. Received factor="
                    + b.factor);
        }
        this.factor = b.factor;
        this.patience = b.patience;
        this.verbose = b.verbose;
        this.minDelta = b.minDelta;
        this.cooldown = b.cooldown;
        this.minLr = b.minLr;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        best = null;
        cooldownCounter = 0;
        wait = 0;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (!monitorOpSet()) {
            setMonitorOp();
        }
        Optimizer optimizer = model().optimizer();
        LearningRateScheduler.putLearningRate(logs, optimizer.currentLearningRate());
        Double current = logs.get(monitor);
        if (current == null) {
            warn("Learning rate reduction is conditioned on metric `" + monitor + "` which is not available. "
                    + "Available metrics are: " + available(logs) + ".");
            return;
        }
        if (inCooldown()) {
            cooldownCounter--;
            wait = 0;
        }
        if (isImprovement(current, best)) {
            best = current;
            wait = 0;
        } else if (!inCooldown()) {
            wait++;
            if (wait >= patience && reduce(optimizer, epoch)) {
                cooldownCounter = cooldown;
                wait = 0;
            }
        }
    }

    private boolean reduce(Optimizer optimizer, int epoch) {
        double oldLr = optimizer.currentLearningRate();
        if (oldLr > (float) minLr) {
            double newLr = Math.max(oldLr * factor, minLr);
            optimizer.setLearningRate(newLr);
            if (verbose > 0) {
                System.out.println("\nEpoch " + (epoch + 1) + ": ReduceLROnPlateau reducing learning rate to "
                        + newLr + ".");
            }
            return true;
        }
        return false;
    }

    public boolean inCooldown() {
        return cooldownCounter > 0;
    }

    /** Epochs since the last improvement (outside cooldown). */
    public int waitCount() {
        return wait;
    }

    public double factor() {
        return factor;
    }

    public double minDelta() {
        return minDelta;
    }

    /** Keras's ReduceLROnPlateau arguments. */
    public static final class Builder {
        private String monitor = "val_loss";
        private double factor = 0.1;
        private int patience = 10;
        private int verbose;
        private String mode = "auto";
        private double minDelta = 1e-4;
        private int cooldown;
        private double minLr = 0.0;

        private Builder() {
        }

        /** Defaults to {@code "val_loss"}. */
        public Builder monitor(String monitor) {
            this.monitor = monitor;
            return this;
        }

        /** {@code new_lr = lr * factor}; below 1. Defaults to {@code 0.1}. */
        public Builder factor(double factor) {
            this.factor = factor;
            return this;
        }

        /** Defaults to {@code 10}. */
        public Builder patience(int patience) {
            this.patience = patience;
            return this;
        }

        /** Defaults to {@code 0}. */
        public Builder verbose(int verbose) {
            this.verbose = verbose;
            return this;
        }

        /** {@code "auto"}, {@code "min"} or {@code "max"}. Defaults to {@code "auto"}. */
        public Builder mode(String mode) {
            this.mode = mode;
            return this;
        }

        /** Defaults to {@code 1e-4}. */
        public Builder minDelta(double minDelta) {
            this.minDelta = minDelta;
            return this;
        }

        /** Epochs to wait after a reduction. Defaults to {@code 0}. */
        public Builder cooldown(int cooldown) {
            this.cooldown = cooldown;
            return this;
        }

        /** Lower bound of the learning rate. Defaults to {@code 0.0}. */
        public Builder minLr(double minLr) {
            this.minLr = minLr;
            return this;
        }

        public ReduceLROnPlateau build() {
            return new ReduceLROnPlateau(this);
        }
    }
}
