package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Nn;
import io.sparkkeras.utils.Configs;

import java.util.Map;

/** The shared body of the max and average pooling layers: Keras's {@code BasePooling}, channels_last. */
public abstract class BasePooling extends Layer {
    private final int[] poolSize;
    private final int[] strides;
    private final String padding;
    private final boolean max;

    /**
     * @param poolSize window per spatial axis
     * @param strides  step per spatial axis; {@code null} means {@code poolSize}, as Keras
     * @param padding  {@code "valid"} or {@code "same"}
     */
    protected BasePooling(int[] poolSize, int[] strides, String padding, boolean max, String name) {
        super(name);
        int rank = poolSize.length;
        this.poolSize = ConvUtils.positive("pool_size", poolSize, rank);
        this.strides = ConvUtils.positive("strides", strides == null ? poolSize : strides, rank);
        this.padding = ConvUtils.padding(padding);
        this.max = max;
        setInputSpec(InputSpec.ndim(rank + 2));
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        return max ? Nn.maxPool(inputs, poolSize, strides, padding)
                : Nn.averagePool(inputs, poolSize, strides, padding);
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        return ConvUtils.outputShape(inputShape, poolSize, strides, padding, ConvUtils.repeat(1, poolSize.length),
                inputShape.last());
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of(
                "pool_size", Configs.list(poolSize),
                "padding", padding,
                "strides", Configs.list(strides),
                "data_format", "channels_last"));
    }

    static int[] poolSize(Map<String, Object> c, int rank) {
        return Configs.toInts("pool_size", c.getOrDefault("pool_size", 2), rank);
    }

    static int[] strides(Map<String, Object> c, int rank) {
        Object s = c.get("strides");
        return s == null ? null : Configs.toInts("strides", s, rank);
    }
}
