package io.sparkkeras.optimizers.schedules;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A step function: {@code values[0]} while {@code step <= boundaries[0]}, {@code values[i]} while
 * {@code boundaries[i-1] < step <= boundaries[i]}, and {@code values[-1]} after the last boundary. Keras's
 * {@code keras.optimizers.schedules.PiecewiseConstantDecay}.
 *
 * <pre>{@code
 * LearningRateSchedule s = new PiecewiseConstantDecay(new long[] {100, 110}, new double[] {1.0, 0.5, 0.1});
 * s.valueAt(105);   // 0.5
 * }</pre>
 */
public final class PiecewiseConstantDecay extends LearningRateSchedule {
    private final long[] boundaries;
    private final double[] values;
    private final String name;

    /**
     * @param boundaries strictly increasing steps
     * @param values     one more value than boundaries
     */
    public PiecewiseConstantDecay(long[] boundaries, double[] values) {
        this(boundaries, values, "PiecewiseConstant");
    }

    /** @param name Defaults to {@code "PiecewiseConstant"}. */
    public PiecewiseConstantDecay(long[] boundaries, double[] values, String name) {
        if (boundaries.length != values.length - 1) {
            throw new IllegalArgumentException("The length of boundaries should be 1 less than the length of values. "
                    + "Received: boundaries=" + Arrays.toString(boundaries) + " of length " + boundaries.length
                    + ", and values=" + Arrays.toString(values) + " of length " + values.length + ".");
        }
        this.boundaries = boundaries.clone();
        this.values = values.clone();
        this.name = name;
    }

    @Override
    public Tensor apply(Tensor step) {
        // Keras's formula: a sum of indicator * value, so it traces without control flow.
        Tensor result = Ops.multiply(Ops.cast(Ops.lessEqual(step, Ops.scalar(boundaries[0])), DType.FLOAT32),
                values[0]);
        result = Ops.add(result, Ops.multiply(Ops.cast(Ops.greater(step, (double) boundaries[boundaries.length - 1]),
                DType.FLOAT32), values[values.length - 1]));
        for (int i = 0; i + 1 < boundaries.length; i++) {
            Tensor in = Ops.logicalAnd(Ops.greater(step, (double) boundaries[i]),
                    Ops.lessEqual(step, Ops.scalar(boundaries[i + 1])));
            result = Ops.add(result, Ops.multiply(Ops.cast(in, DType.FLOAT32), values[i + 1]));
        }
        return result;
    }

    @Override
    public double valueAt(long step) {
        for (int i = 0; i < boundaries.length; i++) {
            if (step <= boundaries[i]) {
                return values[i];
            }
        }
        return values[values.length - 1];
    }

    @Override
    public Map<String, Object> getConfig() {
        List<Long> b = new ArrayList<>(boundaries.length);
        for (long x : boundaries) {
            b.add(x);
        }
        List<Double> v = new ArrayList<>(values.length);
        for (double x : values) {
            v.add(x);
        }
        return Configs.of("boundaries", b, "values", v, "name", name);
    }

    public static PiecewiseConstantDecay fromConfig(Map<String, Object> c) {
        List<?> b = (List<?>) c.get("boundaries");
        List<?> v = (List<?>) c.get("values");
        if (b == null || v == null) {
            throw new IllegalArgumentException("PiecewiseConstantDecay's config needs `boundaries` and `values`. "
                    + "Received: " + c);
        }
        long[] bs = new long[b.size()];
        for (int i = 0; i < bs.length; i++) {
            bs[i] = ((Number) b.get(i)).longValue();
        }
        double[] vs = new double[v.size()];
        for (int i = 0; i < vs.length; i++) {
            vs[i] = ((Number) v.get(i)).doubleValue();
        }
        return new PiecewiseConstantDecay(bs, vs, Configs.getString(c, "name", "PiecewiseConstant"));
    }
}
