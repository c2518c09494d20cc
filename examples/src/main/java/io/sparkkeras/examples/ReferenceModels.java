package io.sparkkeras.examples;

import io.sparkkeras.layers.Conv2D;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Dropout;
import io.sparkkeras.layers.Flatten;
import io.sparkkeras.layers.Input;
import io.sparkkeras.layers.MaxPooling2D;
import io.sparkkeras.layers.Rescaling;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;

import java.util.List;

/**
 * The reference workloads of the design brief (section 7), compiled with Adam 1e-3 and sparse categorical
 * crossentropy, reporting accuracy. Each takes pixels scaled to [0, 1] and standardizes them first with a
 * {@link Rescaling} layer ({@code (x - mean) / std} over Fashion-MNIST's training pixels), which is saved with the
 * model, so {@code predict} and a Spark {@code transform} take the same [0, 1] pixels as {@code fit}. Standardized
 * inputs lift the CNN after 10 epochs from about 0.897 to about 0.902 (the root README lists every run).
 *
 * <pre>{@code
 * Sequential mlp = ReferenceModels.mlp();
 * Sequential cnn = ReferenceModels.cnn();
 * }</pre>
 */
public final class ReferenceModels {
    /** Mean of Fashion-MNIST's 60,000 training images' pixels, scaled to [0, 1]. */
    public static final double PIXEL_MEAN = 0.2860;
    /** Their standard deviation. */
    public static final double PIXEL_STD = 0.3530;

    private ReferenceModels() {
    }

    /** {@code (x - PIXEL_MEAN) / PIXEL_STD}, as Keras's {@code Rescaling(scale, offset)}. */
    public static Rescaling standardize() {
        return new Rescaling(1 / PIXEL_STD, -PIXEL_MEAN / PIXEL_STD);
    }

    /** Standardize, Flatten, Dense 256 relu, Dense 128 relu, Dense 10 (logits). Input (28, 28). */
    public static Sequential mlp() {
        Sequential model = new Sequential(
                new Input(28, 28),
                standardize(),
                new Flatten(),
                new Dense(256, "relu"),
                new Dense(128, "relu"),
                new Dense(10));
        model.compile(new Adam(1e-3), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                List.of("accuracy"));
        return model;
    }

    /**
     * Standardize, Conv 32 3x3, max-pool 2, Conv 64 3x3, max-pool 2, Flatten, Dropout 0.5, Dense 10 softmax. Input
     * (28, 28, 1).
     */
    public static Sequential cnn() {
        Sequential model = new Sequential(
                new Input(28, 28, 1),
                standardize(),
                new Conv2D(32, 3, "relu"),
                new MaxPooling2D(2),
                new Conv2D(64, 3, "relu"),
                new MaxPooling2D(2),
                new Flatten(),
                new Dropout(0.5),
                new Dense(10, "softmax"));
        model.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(), List.of("accuracy"));
        return model;
    }
}
