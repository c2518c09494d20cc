package io.sparkkeras.metrics;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.ops.Ops;

/**
 * The weighted mean of the values given: {@code sum(values * w) / sum(w)}. Keras's {@code Mean}; the running loss
 * of {@code fit} is one.
 *
 * <pre>{@code
 * Mean m = new Mean("loss");
 * m.update(Ops.convertToTensor(NdArray.of(new float[] {1, 3})), null);
 * m.result();   // 2.0
 * }</pre>
 */
public class Mean extends Metric {
    private final Variable total;
    private final Variable count;

    public Mean() {
        this("mean");
    }

    public Mean(String name) {
        super(name);
        this.total = addVariable("total", Shape.scalar());
        this.count = addVariable("count", Shape.scalar());
    }

    /** Adds {@code values} (any shape), weighted by {@code sampleWeight} (broadcast) if given. */
    public final void update(Tensor values, Tensor sampleWeight) {
        Tensor v = Ops.cast(values, DType.FLOAT32);
        if (sampleWeight != null && v.shape().rank() == 0 && sampleWeight.shape().rank() == 0) {
            // One value with one weight (the running loss, weighted by batch size): two updates, no broadcasting.
            Tensor w = Ops.cast(sampleWeight, DType.FLOAT32);
            total.assignAdd(Ops.multiply(v, w));
            count.assignAdd(w);
            return;
        }
        if (sampleWeight != null) {
            Tensor w = Ops.cast(sampleWeight, DType.FLOAT32);
            while (w.shape().rank() < v.shape().rank()) {
                w = Ops.expandDims(w, -1);
            }
            Tensor wb = Ops.multiply(Ops.onesLike(v), w);
            total.assignAdd(Ops.sum(Ops.multiply(v, wb)));
            count.assignAdd(Ops.sum(wb));
        } else {
            total.assignAdd(Ops.sum(v));
            count.assignAdd(Ops.scalar(v.shape().size()));
        }
    }

    /** Mean metrics treat {@code yPred}'s per-sample values as the thing to average; see subclasses. */
    @Override
    public void updateState(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        update(yPred, sampleWeight);
    }

    @Override
    public double result() {
        double c = count.numpy().getDouble(0);
        return c == 0 ? 0 : total.numpy().getDouble(0) / c;
    }
}
