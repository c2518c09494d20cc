package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;

/**
 * What a layer accepts, checked by {@link Layer#apply} on every call after build: an exact or minimum rank and
 * the size of the last axis. Keras's {@code InputSpec}, cut to what our layers use.
 *
 * @param ndim     exact rank, or -1
 * @param minNdim  minimum rank, or -1
 * @param lastAxis size of the last axis, or -1
 */
public record InputSpec(int ndim, int minNdim, long lastAxis) {

    public static InputSpec ndim(int ndim) {
        return new InputSpec(ndim, -1, -1);
    }

    public InputSpec withLastAxis(long size) {
        return new InputSpec(ndim, minNdim, size);
    }

    public static InputSpec minNdim(int minNdim) {
        return new InputSpec(-1, minNdim, -1);
    }

    /** Throws naming the layer, what it expects and the shape it got. */
    void check(String layer, Shape shape) {
        if (ndim >= 0 && shape.rank() != ndim) {
            throw new IllegalArgumentException("Input 0 of layer \"" + layer + "\" is incompatible with the layer: "
                    + "expected ndim=" + ndim + ", found ndim=" + shape.rank() + ". Full shape received: " + shape);
        }
        if (minNdim >= 0 && shape.rank() < minNdim) {
            throw new IllegalArgumentException("Input 0 of layer \"" + layer + "\" is incompatible with the layer: "
                    + "expected min_ndim=" + minNdim + ", found ndim=" + shape.rank() + ". Full shape received: "
                    + shape);
        }
        if (lastAxis >= 0 && shape.rank() > 0 && shape.last() != Shape.UNKNOWN && shape.last() != lastAxis) {
            throw new IllegalArgumentException("Input 0 of layer \"" + layer + "\" is incompatible with the layer: "
                    + "expected axis -1 of input shape to have value " + lastAxis + ", but received input with shape "
                    + shape);
        }
    }
}
