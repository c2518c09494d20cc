package io.sparkkeras.initializers;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.Configs;
import io.sparkkeras.utils.NdArray;

import java.util.List;
import java.util.Map;

/**
 * Keras's {@code VarianceScaling}: {@code scale / n} variance, with {@code n} the fan-in, fan-out or their average,
 * drawn from a truncated normal, a normal or a uniform. Glorot, He and LeCun initializers are instances of it.
 */
public class VarianceScaling implements Initializer {
    private static final List<String> MODES = List.of("fan_in", "fan_out", "fan_avg");
    private static final List<String> DISTRIBUTIONS = List.of("truncated_normal", "untruncated_normal", "uniform");

    private final double scale;
    private final String mode;
    private final String distribution;
    private final Long seed;

    /**
     * @param scale        positive. Defaults to {@code 1.0}.
     * @param mode         {@code "fan_in"}, {@code "fan_out"} or {@code "fan_avg"}. Defaults to {@code "fan_in"}.
     * @param distribution {@code "truncated_normal"}, {@code "untruncated_normal"} or {@code "uniform"}. Defaults to
     *                     {@code "truncated_normal"}.
     * @param seed         or {@code null} for the global generator
     */
    public VarianceScaling(double scale, String mode, String distribution, Long seed) {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("Received an invalid value for `scale`, expected a positive number. "
                    + "Received: scale=" + scale);
        }
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException("Received an invalid value for `mode`, expected one of " + MODES
                    + ". Received: mode=" + mode);
        }
        if (!DISTRIBUTIONS.contains(distribution)) {
            throw new IllegalArgumentException("Received an invalid value for `distribution`, expected one of "
                    + DISTRIBUTIONS + ". Received: distribution=" + distribution);
        }
        this.scale = scale;
        this.mode = mode;
        this.distribution = distribution;
        this.seed = seed;
    }

    protected final Long seed() {
        return seed;
    }

    @Override
    public NdArray call(Shape shape, DType dtype) {
        double[] fans = HostRandom.fans(shape);
        double n = switch (mode) {
            case "fan_in" -> fans[0];
            case "fan_out" -> fans[1];
            default -> (fans[0] + fans[1]) / 2;
        };
        double s = scale / Math.max(1.0, n);
        return switch (distribution) {
            // 0.8796... is the stddev of a unit normal truncated to [-2, 2]: dividing by it restores the variance.
            case "truncated_normal" -> HostRandom.normal(shape, dtype, 0, Math.sqrt(s) / 0.87962566103423978, true, seed);
            case "untruncated_normal" -> HostRandom.normal(shape, dtype, 0, Math.sqrt(s), false, seed);
            default -> {
                double limit = Math.sqrt(3 * s);
                yield HostRandom.uniform(shape, dtype, -limit, limit, seed);
            }
        };
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.of("scale", scale, "mode", mode, "distribution", distribution, "seed", seed);
    }
}
