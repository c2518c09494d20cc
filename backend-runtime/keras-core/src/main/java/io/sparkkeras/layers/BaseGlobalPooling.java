package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/**
 * The shared body of the global pooling layers: reduces every spatial axis of a channels_last input by mean or max.
 * Keras's {@code BaseGlobalPooling}.
 */
public abstract class BaseGlobalPooling extends Layer {
    private final int rank;
    private final boolean keepdims;
    private final boolean max;

    protected BaseGlobalPooling(int rank, boolean keepdims, boolean max, String name) {
        super(name);
        this.rank = rank;
        this.keepdims = keepdims;
        this.max = max;
        setInputSpec(InputSpec.ndim(rank + 2));
    }

    public boolean keepdims() {
        return keepdims;
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        int[] axes = new int[rank];
        for (int i = 0; i < rank; i++) {
            axes[i] = i + 1;
        }
        return max ? Ops.max(inputs, axes, keepdims) : Ops.mean(inputs, axes, keepdims);
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        if (!keepdims) {
            return Shape.of(inputShape.get(0), inputShape.last());
        }
        long[] out = new long[rank + 2];
        java.util.Arrays.fill(out, 1);
        out[0] = inputShape.get(0);
        out[rank + 1] = inputShape.last();
        return Shape.of(out);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of("data_format", "channels_last", "keepdims", keepdims));
    }
}
