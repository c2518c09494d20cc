package io.sparkkeras.losses;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * The Huber loss, averaged over the last axis: {@code 0.5 x^2} where {@code |x| <= delta}, else
 * {@code delta * |x| - 0.5 delta^2}, with {@code x = y_true - y_pred}. Keras's {@code Huber}, id {@code "huber"}.
 *
 * <pre>{@code
 * Loss loss = new Huber(1.0);
 * }</pre>
 */
public final class Huber extends Loss {
    private final double delta;

    /** {@code delta=1.0}. */
    public Huber() {
        this(1.0);
    }

    /** @param delta where the loss turns from quadratic to linear. Defaults to {@code 1.0}. */
    public Huber(double delta) {
        this(delta, "sum_over_batch_size", "huber_loss");
    }

    public Huber(double delta, String reduction, String name) {
        super(name, reduction);
        if (!(delta > 0)) {
            throw new IllegalArgumentException("Received an invalid value for `delta`, expected a positive number. "
                    + "Received: delta=" + delta);
        }
        this.delta = delta;
    }

    @Override
    protected Tensor call(Tensor yTrue, Tensor yPred) {
        Tensor err = Ops.abs(Ops.subtract(yPred, Ops.cast(yTrue, DType.FLOAT32)));
        Tensor quad = Ops.multiply(Ops.square(err), 0.5);
        Tensor lin = Ops.subtract(Ops.multiply(err, delta), 0.5 * delta * delta);
        return Ops.mean(Ops.where(Ops.lessEqual(err, Ops.scalar(delta)), quad, lin), -1);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("delta", delta));
    }

    public static Huber fromConfig(Map<String, Object> c) {
        return new Huber(Configs.getDouble(c, "delta", 1.0), Configs.getString(c, "reduction", "sum_over_batch_size"),
                Configs.getString(c, "name", "huber_loss"));
    }
}
