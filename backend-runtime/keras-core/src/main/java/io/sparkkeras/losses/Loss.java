package io.sparkkeras.losses;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.List;
import java.util.Map;

/**
 * The base of every loss, as Keras's {@code keras.losses.Loss}: {@link #call} gives one value per sample (or per
 * element), and {@link #apply} weights and reduces them.
 *
 * <p>Reductions, Keras's: {@code "sum_over_batch_size"} (the default: the weighted sum divided by the number of
 * values), {@code "sum"}, {@code "mean"} (weighted sum over the sum of weights) and {@code "none"}.
 */
public abstract class Loss {
    private static final List<String> REDUCTIONS = List.of("sum_over_batch_size", "sum", "mean", "none");

    private final String name;
    private final String reduction;

    protected Loss(String name, String reduction) {
        if (!REDUCTIONS.contains(reduction)) {
            throw new IllegalArgumentException("Invalid value for argument `reduction`. Expected one of " + REDUCTIONS
                    + ". Received: reduction=" + reduction);
        }
        this.name = name;
        this.reduction = reduction;
    }

    public final String name() {
        return name;
    }

    public final String reduction() {
        return reduction;
    }

    /** Unreduced losses: one per sample, shape {@code (batch,)} (or more axes for element-wise losses). */
    protected abstract Tensor call(Tensor yTrue, Tensor yPred);

    /** The reduced loss. */
    public final Tensor apply(Tensor yTrue, Tensor yPred) {
        return apply(yTrue, yPred, null);
    }

    /**
     * The weighted, reduced loss.
     *
     * @param sampleWeight per-sample weights of shape {@code (batch,)}, or {@code null}
     */
    public final Tensor apply(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        Tensor losses = call(yTrue, yPred);
        if (sampleWeight != null) {
            Tensor w = Ops.cast(sampleWeight, DType.FLOAT32);
            while (w.shape().rank() < losses.shape().rank()) {
                w = Ops.expandDims(w, -1);
            }
            losses = Ops.multiply(losses, w);
            if ("mean".equals(reduction)) {
                return Ops.divide(Ops.sum(losses), Ops.maximum(Ops.sum(w), 1e-7));
            }
        }
        return switch (reduction) {
            case "none" -> losses;
            case "sum" -> Ops.sum(losses);
            default -> Ops.mean(losses);
        };
    }

    /** {@code name} and {@code reduction}, Keras-named; subclasses merge their arguments over it. */
    public Map<String, Object> getConfig() {
        return Configs.of("name", name, "reduction", reduction);
    }

    /** Keras's class name. */
    public String className() {
        return getClass().getSimpleName();
    }
}
