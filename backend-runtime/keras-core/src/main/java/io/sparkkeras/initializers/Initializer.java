package io.sparkkeras.initializers;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.NdArray;

import java.util.Map;

/**
 * Makes a variable's initial value: Keras's {@code keras.initializers.Initializer}. Values are drawn on the host
 * from a seeded generator, so the same seed gives the same weights on every backend.
 */
public interface Initializer {

    /** A new array of {@code shape} and {@code dtype}. */
    NdArray call(Shape shape, DType dtype);

    /** Keras's class name, {@code "GlorotUniform"}. */
    default String className() {
        return getClass().getSimpleName();
    }

    /** The constructor arguments, Keras-named. */
    Map<String, Object> getConfig();
}
