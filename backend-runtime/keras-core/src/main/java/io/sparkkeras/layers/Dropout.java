package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Nn;
import io.sparkkeras.utils.Configs;
import io.sparkkeras.utils.RandomSeeds;

import java.util.Map;

/**
 * In training, sets inputs to 0 at rate {@code rate} and scales the rest by {@code 1 / (1 - rate)}; in inference,
 * passes them through. Keras's {@code Dropout}.
 *
 * <p>Input shape: any. Output shape: the same.
 *
 * <pre>{@code
 * Dropout d = new Dropout(0.5);
 * }</pre>
 */
public final class Dropout extends Layer {
    private final double rate;
    private final Long seed;

    /** @param rate fraction of inputs to drop, in {@code [0, 1)} */
    public Dropout(double rate) {
        this(rate, null, null);
    }

    /**
     * @param rate fraction of inputs to drop, in {@code [0, 1)}
     * @param seed for the masks, or {@code null} for the global seed. Defaults to {@code null}.
     */
    public Dropout(double rate, Long seed, String name) {
        super(name);
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("Invalid value received for argument `rate`. Expected a float value "
                    + "between 0 and 1. Received: rate=" + rate);
        }
        this.rate = rate;
        this.seed = seed;
    }

    public double rate() {
        return rate;
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        if (!training || rate == 0) {
            return inputs;
        }
        return Nn.dropout(inputs, rate, seed != null ? seed : RandomSeeds.nextSeed());
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        return inputShape;
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("rate", rate, "seed", seed, "noise_shape", null));
    }

    public static Dropout fromConfig(Map<String, Object> c) {
        Dropout d = new Dropout(Configs.getDouble(c, "rate"), Configs.getLongOrNull(c, "seed"), (String) c.get("name"));
        d.setTrainable(Configs.getBoolean(c, "trainable", true));
        return d;
    }
}
