package io.sparkkeras.losses;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * The mean of squared errors over the last axis, {@code mean((y_true - y_pred)^2)}. Keras's {@code MeanSquaredError}, id {@code "mean_squared_error"}.
 *
 * <pre>{@code
 * model.compile(new Adam(1e-3), new MeanSquaredError(), List.of());
 * }</pre>
 */
public final class MeanSquaredError extends Loss {

    /** Reduction {@code "sum_over_batch_size"}, name {@code "mean_squared_error"}. */
    public MeanSquaredError() {
        this("sum_over_batch_size", "mean_squared_error");
    }

    public MeanSquaredError(String reduction, String name) {
        super(name, reduction);
    }

    @Override
    protected Tensor call(Tensor yTrue, Tensor yPred) {
        Tensor yt = Ops.cast(yTrue, DType.FLOAT32);
        return Ops.mean(Ops.square(Ops.subtract(yPred, yt)), -1);
    }

    public static MeanSquaredError fromConfig(Map<String, Object> c) {
        return new MeanSquaredError(Configs.getString(c, "reduction", "sum_over_batch_size"),
                Configs.getString(c, "name", "mean_squared_error"));
    }
}
