package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.Configs;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Adds rows and columns of zeros around an image. Keras's {@code ZeroPadding2D}, channels_last.
 *
 * <p>Input shape: {@code (batch_size, rows, cols, channels)}. Output shape: {@code (batch_size, top + rows + bottom,
 * left + cols + right, channels)}.
 *
 * <pre>{@code
 * ZeroPadding2D one = new ZeroPadding2D();                               // 1 on every side
 * ZeroPadding2D asym = new ZeroPadding2D(new int[][] {{1, 2}, {0, 3}}); // ((top, bottom), (left, right))
 * }</pre>
 */
public final class ZeroPadding2D extends Layer {
    private final int[][] padding;

    /** Pads one row or column of zeros on every side. */
    public ZeroPadding2D() {
        this(1);
    }

    /** @param padding rows and columns of zeros on every side */
    public ZeroPadding2D(int padding) {
        this(new int[][] {{padding, padding}, {padding, padding}}, null);
    }

    /**
     * @param heightPadding rows of zeros above and below
     * @param widthPadding  columns of zeros left and right
     */
    public ZeroPadding2D(int heightPadding, int widthPadding) {
        this(new int[][] {{heightPadding, heightPadding}, {widthPadding, widthPadding}}, null);
    }

    /** @param padding {@code {{top, bottom}, {left, right}}}. Defaults to {@code {{1, 1}, {1, 1}}}. */
    public ZeroPadding2D(int[][] padding) {
        this(padding, null);
    }

    public ZeroPadding2D(int[][] padding, String name) {
        super(name);
        boolean ok = padding.length == 2 && padding[0].length == 2 && padding[1].length == 2;
        for (int i = 0; ok && i < 2; i++) {
            ok = padding[i][0] >= 0 && padding[i][1] >= 0;
        }
        if (!ok) {
            throw new IllegalArgumentException("Received an invalid value for `padding`, expected an int, 2 ints or "
                    + "((top, bottom), (left, right)) of non-negative ints. Received: padding="
                    + Arrays.deepToString(padding));
        }
        this.padding = new int[][] {padding[0].clone(), padding[1].clone()};
        setInputSpec(InputSpec.ndim(4));
    }

    /** {@code {{top, bottom}, {left, right}}}. */
    public int[][] padding() {
        return new int[][] {padding[0].clone(), padding[1].clone()};
    }

    @Override
    protected Tensor call(Tensor inputs, boolean training) {
        return Ops.pad(inputs, new long[][] {{0, 0}, {padding[0][0], padding[0][1]}, {padding[1][0], padding[1][1]},
                {0, 0}});
    }

    @Override
    public Shape computeOutputShape(Shape inputShape) {
        long[] out = inputShape.dims();
        for (int i = 0; i < 2; i++) {
            if (out[i + 1] != Shape.UNKNOWN) {
                out[i + 1] += padding[i][0] + padding[i][1];
            }
        }
        return Shape.of(out);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Configs.merge(super.getConfig(), Configs.of(
                "padding", List.of(Configs.list(padding[0]), Configs.list(padding[1])),
                "data_format", "channels_last"));
    }

    public static ZeroPadding2D fromConfig(Map<String, Object> c) {
        ConvUtils.checkDataFormat(c);
        Object p = c.getOrDefault("padding", 1);
        int[][] padding;
        if (p instanceof Number n) {
            padding = new int[][] {{n.intValue(), n.intValue()}, {n.intValue(), n.intValue()}};
        } else if (p instanceof List<?> l && l.size() == 2) {
            padding = new int[][] {Configs.toInts("padding", l.get(0), 2), Configs.toInts("padding", l.get(1), 2)};
        } else {
            throw new IllegalArgumentException("Received an invalid value for `padding`, expected an int, 2 ints or "
                    + "((top, bottom), (left, right)). Received: padding=" + p);
        }
        ZeroPadding2D z = new ZeroPadding2D(padding, (String) c.get("name"));
        z.setTrainable(Configs.getBoolean(c, "trainable", true));
        return z;
    }
}
