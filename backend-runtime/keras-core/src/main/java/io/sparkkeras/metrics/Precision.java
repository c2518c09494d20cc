package io.sparkkeras.metrics;

import java.util.Map;

/**
 * How often the predictions marked positive are positive: {@code true_positives / (true_positives + false_positives)}, a prediction counting as positive when it is above the threshold.
 * Keras's {@code Precision}, id {@code "precision"}. With {@code top_k}, only the k highest predictions of each row count as
 * positive; with {@code class_id}, only that class is considered. Counts are kept per threshold in variables;
 * {@link #result()} gives the first threshold's value and {@link #results()} all of them.
 *
 * <pre>{@code
 * Precision m = new Precision();
 * m.updateState(labels, predictions, null);   // labels [0, 1, 1, 1], predictions [1, 0, 1, 1]
 * m.result();   // 2 / 3
 * }</pre>
 */
public final class Precision extends ThresholdRatio {

    /** Threshold 0.5. */
    public Precision() {
        this(builder());
    }

    /** @param threshold a prediction above it counts as positive. Defaults to {@code 0.5}. */
    public Precision(double threshold) {
        this(builder().thresholds(threshold));
    }

    private Precision(Builder b) {
        super(b, true);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static Precision fromConfig(Map<String, Object> config) {
        return builder().config(config).build();
    }

    /** Keras's Precision arguments. */
    public static final class Builder extends ThresholdArgs<Builder> {
        private Builder() {
            super("precision");
        }

        public Precision build() {
            return new Precision(this);
        }
    }
}
