package io.sparkkeras.losses;

/**
 * Keras's common loss arguments ({@code from_logits}, {@code reduction}, {@code name}) for the crossentropy
 * builders; {@link Smoothed} adds {@code label_smoothing}.
 */
@SuppressWarnings("unchecked")
public abstract class LossBuilder<B extends LossBuilder<B>> {
    boolean fromLogits;
    String reduction = "sum_over_batch_size";
    String name;

    LossBuilder(String defaultName) {
        this.name = defaultName;
    }

    /** Whether {@code y_pred} holds logits rather than probabilities. Defaults to {@code false}. */
    public B fromLogits(boolean fromLogits) {
        this.fromLogits = fromLogits;
        return (B) this;
    }

    /** {@code "sum_over_batch_size"}, {@code "sum"}, {@code "mean"} or {@code "none"}. Defaults to {@code "sum_over_batch_size"}. */
    public B reduction(String reduction) {
        this.reduction = reduction;
        return (B) this;
    }

    /** Defaults to the loss's Keras id. */
    public B name(String name) {
        this.name = name;
        return (B) this;
    }

    /** A builder with {@code label_smoothing} too. */
    public abstract static class Smoothed<B extends Smoothed<B>> extends LossBuilder<B> {
        double labelSmoothing;

        Smoothed(String defaultName) {
            super(defaultName);
        }

        /** Moves labels towards uniform by this amount, in {@code [0, 1]}. Defaults to {@code 0.0}. */
        public B labelSmoothing(double labelSmoothing) {
            this.labelSmoothing = labelSmoothing;
            return (B) this;
        }
    }
}
