package io.sparkkeras.metrics;

import java.util.Map;

/**
 * How many of the positive labels the predictions find: {@code true_positives / (true_positives + false_negatives)}, a prediction counting as positive when it is above the threshold.
 * Keras's {@code Recall}, id {@code "recall"}. With {@code top_k}, only the k highest predictions of each row count as
 * positive; with {@code class_id}, only that class is considered. Counts are kept per threshold in variables;
 * {@link #result()} gives the first threshold's value and {@link #results()} all of them.
 *
 * <pre>{@code
 * Recall m = new Recall();
 * m.updateState(labels, predictions, null);   // labels [0, 1, 1, 1], predictions [1, 0, 1, 1]
 * m.result();   // 2 / 3
 * }</pre>
 */
public final class Recall extends ThresholdRatio {

    /** Threshold 0.5. */
    public Recall() {
        this(builder());
    }

    /** @param threshold a prediction above it counts as positive. Defaults to {@code 0.5}. */
    public Recall(double threshold) {
        this(builder().thresholds(threshold));
    }

    private Recall(Builder b) {
        super(b, false);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static Recall fromConfig(Map<String, Object> config) {
        return builder().config(config).build();
    }

    /** Keras's Recall arguments. */
    public static final class Builder extends ThresholdArgs<Builder> {
        private Builder() {
            super("recall");
        }

        public Recall build() {
            return new Recall(this);
        }
    }
}
