package io.sparkkeras.losses;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * The mean of absolute errors over the last axis, {@code mean(|y_true - y_pred|)}. Keras's {@code MeanAbsoluteError}, id {@code "mean_absolute_error"}.
 *
 * <pre>{@code
 * model.compile(new Adam(1e-3), new MeanAbsoluteError(), List.of());
 * }</pre>
 */
public final class MeanAbsoluteError extends Loss {

    /** Reduction {@code "sum_over_batch_size"}, name {@code "mean_absolute_error"}. */
    public MeanAbsoluteError() {
        this("sum_over_batch_size", "mean_absolute_error");
    }

    public MeanAbsoluteError(String reduction, String name) {
        super(name, reduction);
    }

    @Override
    protected Tensor call(Tensor yTrue, Tensor yPred) {
        Tensor yt = Ops.cast(yTrue, DType.FLOAT32);
        return Ops.mean(Ops.abs(Ops.subtract(yPred, yt)), -1);
    }

    public static MeanAbsoluteError fromConfig(Map<String, Object> c) {
        return new MeanAbsoluteError(Configs.getString(c, "reduction", "sum_over_batch_size"),
                Configs.getString(c, "name", "mean_absolute_error"));
    }
}
