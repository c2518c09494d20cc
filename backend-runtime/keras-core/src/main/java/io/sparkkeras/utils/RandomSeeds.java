package io.sparkkeras.utils;

import io.sparkkeras.backend.Backends;

import java.util.SplittableRandom;

/**
 * The global seed, as Keras's {@code keras.utils.set_random_seed}: initializers without a seed, shuffling and
 * dropout draw from it, so a run with the same seed repeats.
 *
 * <pre>{@code
 * RandomSeeds.setRandomSeed(42);
 * }</pre>
 */
public final class RandomSeeds {
    private static SplittableRandom global = new SplittableRandom();

    private RandomSeeds() {
    }

    /** Seeds initializers, shuffling and the engine's generator. */
    public static synchronized void setRandomSeed(long seed) {
        global = new SplittableRandom(seed);
        Backends.current().core().setSeed(seed);
    }

    /** A fresh seed from the global generator. */
    public static synchronized long nextSeed() {
        return global.nextLong();
    }
}
