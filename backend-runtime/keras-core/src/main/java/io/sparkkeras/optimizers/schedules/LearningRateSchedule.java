package io.sparkkeras.optimizers.schedules;

import io.sparkkeras.backend.Tensor;
import io.sparkkeras.utils.Configs;

import java.util.List;
import java.util.Map;

/**
 * A learning rate as a function of the optimizer's step: Keras's
 * {@code keras.optimizers.schedules.LearningRateSchedule}. Written against {@code Ops}, so it runs inside a traced
 * step; {@link #valueAt(long)} computes the same formula on the host, for logs and callbacks.
 *
 * <pre>{@code
 * Optimizer adam = Adam.builder().learningRate(new ExponentialDecay(1e-3, 1000, 0.96)).build();
 * }</pre>
 */
public abstract class LearningRateSchedule {
    private static final List<String> KNOWN = List.of("ExponentialDecay", "PiecewiseConstantDecay", "CosineDecay");

    /** The learning rate at {@code step} (a float32 scalar tensor, starting at 0). */
    public abstract Tensor apply(Tensor step);

    /** The learning rate at {@code step}, on the host, for logs and callbacks. */
    public abstract double valueAt(long step);

    /** Keras-named constructor arguments. */
    public abstract Map<String, Object> getConfig();

    public String className() {
        return getClass().getSimpleName();
    }

    public Map<String, Object> serialize() {
        return Configs.serialized("keras.optimizers.schedules", className(), getConfig());
    }

    /**
     * Rebuilds a schedule from Keras's serialized form ({@code {"class_name": ..., "config": {...}}}), as
     * {@code keras.optimizers.schedules.deserialize}.
     *
     * @throws IllegalArgumentException for an unknown {@code class_name}, listing the known ones
     */
    public static LearningRateSchedule deserialize(Map<String, Object> serialized) {
        Object cls = serialized.get("class_name");
        Map<String, Object> config = Configs.getMap(serialized, "config");
        if (config == null) {
            throw new IllegalArgumentException("A serialized LearningRateSchedule needs a `config` map. Received: "
                    + serialized);
        }
        if ("ExponentialDecay".equals(cls)) {
            return ExponentialDecay.fromConfig(config);
        }
        if ("PiecewiseConstantDecay".equals(cls)) {
            return PiecewiseConstantDecay.fromConfig(config);
        }
        if ("CosineDecay".equals(cls)) {
            return CosineDecay.fromConfig(config);
        }
        throw new IllegalArgumentException("Received an invalid value for `class_name`, expected one of " + KNOWN
                + ". Received: class_name=" + cls);
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && ((LearningRateSchedule) o).getConfig().equals(getConfig());
    }

    @Override
    public int hashCode() {
        return getConfig().hashCode();
    }

    @Override
    public String toString() {
        return className() + getConfig();
    }
}
