package io.sparkkeras.benchmarks;

import java.util.Arrays;

/**
 * The benches' steady reading: the median of the ratios of pairs run back to back. This machine's speed swings by
 * 2x over seconds, and a pair sees the same weather, where the best run of each side may not.
 *
 * <pre>{@code
 * double steady = Pairs.median(ratios);
 * }</pre>
 */
final class Pairs {
    private Pairs() {
    }

    /** The median of {@code ratios} (which stay in their order); at least one. */
    static double median(double[] ratios) {
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
