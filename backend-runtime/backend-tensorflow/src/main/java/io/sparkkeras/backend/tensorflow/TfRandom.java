package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.RandomOps;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import org.tensorflow.Output;

/**
 * Random tensors from TensorFlow's stateful generators: Keras's {@code backend/tensorflow/random.py}. The op-level
 * seed is {@code seed}; outside a trace each call is a new op, so a seeded call repeats.
 */
final class TfRandom implements RandomOps {
    private final TfBackend b;

    TfRandom(TfBackend b) {
        this.b = b;
    }

    private Output<?> draw(String type, Shape shape, long seed) {
        return b.op(type, ob -> {
            ob.setAttr("dtype", Tf.dataType(DType.FLOAT32));
            ob.setAttr("seed", seed);
            ob.setAttr("seed2", seed);
        }, b.constLongs(shape.dims()));
    }

    @Override
    public Tensor uniform(Shape shape, double minval, double maxval, DType dtype, long seed) {
        Output<?> u = draw("RandomUniform", shape, seed);
        Output<?> r = b.op("AddV2", b.op("Mul", u, b.constScalar(maxval - minval, DType.FLOAT32)),
                b.constScalar(minval, DType.FLOAT32));
        return b.wrap(b.cast(r, dtype));
    }

    @Override
    public Tensor normal(Shape shape, double mean, double stddev, DType dtype, long seed) {
        Output<?> n = draw("RandomStandardNormal", shape, seed);
        Output<?> r = b.op("AddV2", b.op("Mul", n, b.constScalar(stddev, DType.FLOAT32)),
                b.constScalar(mean, DType.FLOAT32));
        return b.wrap(b.cast(r, dtype));
    }
}
