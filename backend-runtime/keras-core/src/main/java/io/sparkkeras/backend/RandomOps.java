package io.sparkkeras.backend;

/** Seeded random tensors made by the engine: Keras's {@code keras.random}. */
public interface RandomOps {
    Tensor uniform(Shape shape, double minval, double maxval, DType dtype, long seed);

    Tensor normal(Shape shape, double mean, double stddev, DType dtype, long seed);
}
