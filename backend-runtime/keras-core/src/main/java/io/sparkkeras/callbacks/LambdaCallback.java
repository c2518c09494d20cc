package io.sparkkeras.callbacks;

import java.util.Map;

/**
 * A callback made of functions, one per hook. Keras's {@code LambdaCallback}: {@code on_epoch_begin},
 * {@code on_epoch_end}, {@code on_train_begin}, {@code on_train_end}, {@code on_train_batch_begin} and
 * {@code on_train_batch_end}; a hook left unset does nothing.
 *
 * <pre>{@code
 * Callback print = LambdaCallback.builder()
 *         .onEpochEnd((epoch, logs) -> System.out.println(epoch + " " + logs.get("loss")))
 *         .build();
 * }</pre>
 */
public final class LambdaCallback extends Callback {
    /** A hook called with an index (epoch or batch) and the logs. */
    @FunctionalInterface
    public interface IndexedHook extends java.io.Serializable {
        void accept(int index, Map<String, Double> logs);
    }

    /** A hook called with the logs. */
    @FunctionalInterface
    public interface Hook extends java.io.Serializable {
        void accept(Map<String, Double> logs);
    }

    private final IndexedHook onEpochBegin;
    private final IndexedHook onEpochEnd;
    private final Hook onTrainBegin;
    private final Hook onTrainEnd;
    private final IndexedHook onTrainBatchBegin;
    private final IndexedHook onTrainBatchEnd;

    private LambdaCallback(Builder b) {
        this.onEpochBegin = b.onEpochBegin;
        this.onEpochEnd = b.onEpochEnd;
        this.onTrainBegin = b.onTrainBegin;
        this.onTrainEnd = b.onTrainEnd;
        this.onTrainBatchBegin = b.onTrainBatchBegin;
        this.onTrainBatchEnd = b.onTrainBatchEnd;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
        if (onEpochBegin != null) {
            onEpochBegin.accept(epoch, logs);
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (onEpochEnd != null) {
            onEpochEnd.accept(epoch, logs);
        }
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        if (onTrainBegin != null) {
            onTrainBegin.accept(logs);
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        if (onTrainEnd != null) {
            onTrainEnd.accept(logs);
        }
    }

    @Override
    public void onTrainBatchBegin(int batch, Map<String, Double> logs) {
        if (onTrainBatchBegin != null) {
            onTrainBatchBegin.accept(batch, logs);
        }
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
        if (onTrainBatchEnd != null) {
            onTrainBatchEnd.accept(batch, logs);
        }
    }

    /** The hooks of a {@link LambdaCallback}; each Defaults to {@code null} (does nothing). */
    public static final class Builder {
        private IndexedHook onEpochBegin;
        private IndexedHook onEpochEnd;
        private Hook onTrainBegin;
        private Hook onTrainEnd;
        private IndexedHook onTrainBatchBegin;
        private IndexedHook onTrainBatchEnd;

        private Builder() {
        }

        public Builder onEpochBegin(IndexedHook hook) {
            this.onEpochBegin = hook;
            return this;
        }

        public Builder onEpochEnd(IndexedHook hook) {
            this.onEpochEnd = hook;
            return this;
        }

        public Builder onTrainBegin(Hook hook) {
            this.onTrainBegin = hook;
            return this;
        }

        public Builder onTrainEnd(Hook hook) {
            this.onTrainEnd = hook;
            return this;
        }

        public Builder onTrainBatchBegin(IndexedHook hook) {
            this.onTrainBatchBegin = hook;
            return this;
        }

        public Builder onTrainBatchEnd(IndexedHook hook) {
            this.onTrainBatchEnd = hook;
            return this;
        }

        public LambdaCallback build() {
            return new LambdaCallback(this);
        }
    }
}
