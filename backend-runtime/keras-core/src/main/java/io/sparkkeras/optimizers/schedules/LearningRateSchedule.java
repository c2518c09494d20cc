package io.sparkkeras.optimizers.schedules;

import io.sparkkeras.backend.Tensor;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * A learning rate as a function of the optimizer's step: Keras's
 * {@code keras.optimizers.schedules.LearningRateSchedule}. Written against {@code Ops}, so it runs inside a traced
 * step.
 *
 * <pre>{@code
 * new Adam(new ExponentialDecay(1e-3, 1000, 0.96, false));
 * }</pre>
 */
public abstract class LearningRateSchedule {

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
}
