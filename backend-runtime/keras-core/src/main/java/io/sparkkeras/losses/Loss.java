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
        Tensor[] same = squeezeOrExpandToSameRank(yTrue, yPred);
        Tensor losses = call(same[0], same[1]);
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

    /**
     * Keras's {@code squeeze_or_expand_to_same_rank}: when the ranks differ by exactly one and the longer tensor's
     * last axis is 1, the rank-1 tensor gains that axis (else the longer one loses it). So labels of shape
     * {@code (batch,)} meet one-output predictions {@code (batch, 1)} row by row instead of broadcasting to
     * {@code (batch, batch)}; class ids {@code (batch,)} against {@code (batch, classes)} are left as they are.
     */
    public static Tensor[] squeezeOrExpandToSameRank(Tensor x1, Tensor x2) {
        int r1 = x1.shape().rank();
        int r2 = x2.shape().rank();
        if (r1 == r2 + 1 && x1.shape().last() == 1) {
            return r2 == 1 ? new Tensor[] {x1, Ops.expandDims(x2, -1)} : new Tensor[] {Ops.squeeze(x1, -1), x2};
        }
        if (r2 == r1 + 1 && x2.shape().last() == 1) {
            return r1 == 1 ? new Tensor[] {Ops.expandDims(x1, -1), x2} : new Tensor[] {x1, Ops.squeeze(x2, -1)};
        }
        return new Tensor[] {x1, x2};
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
