package io.sparkkeras.callbacks;

import java.util.Map;

/**
 * Stops training as soon as the loss is NaN or infinite. Keras's {@code TerminateOnNaN}: checked after every
 * training batch; with {@code raise_error}, throws instead of stopping after the epoch.
 *
 * <pre>{@code
 * model.fit(x, y, new FitOptions().epochs(10).callbacks(new TerminateOnNaN()));
 * }</pre>
 */
public final class TerminateOnNaN extends Callback {
    private final boolean raiseError;

    /** Keras's default: {@code raise_error=False}, stop training. */
    public TerminateOnNaN() {
        this(builder());
    }

    private TerminateOnNaN(Builder b) {
        this.raiseError = b.raiseError;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
        Double loss = logs.get("loss");
        if (loss != null && (loss.isNaN() || loss.isInfinite())) {
            if (raiseError) {
                throw new IllegalStateException("NaN or Inf loss encountered at batch " + batch + ". Loss value: "
                        + loss + ". Terminating training immediately.");
            }
            System.out.println("Batch " + batch + ": Invalid loss, terminating training");
            model().setStopTraining(true);
        }
    }

    /** Keras's TerminateOnNaN arguments. */
    public static final class Builder {
        private boolean raiseError;

        private Builder() {
        }

        /** Throw at the bad batch instead of stopping after the epoch. Defaults to {@code false}. */
        public Builder raiseError(boolean raiseError) {
            this.raiseError = raiseError;
            return this;
        }

        public TerminateOnNaN build() {
            return new TerminateOnNaN(this);
        }
    }
}
