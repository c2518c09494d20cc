package io.sparkkeras.backend.torch;

import ai.djl.engine.Engine;
import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.RandomOps;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;

/**
 * Random tensors from torch's generator: Keras's {@code backend/torch/random.py}. libtorch has one global
 * generator; each call reseeds it from {@code seed}, so a seeded call repeats.
 */
final class TorchRandom implements RandomOps {
    private final TorchBackend b;

    TorchRandom(TorchBackend b) {
        this.b = b;
    }

    @Override
    public Tensor uniform(Shape shape, double minval, double maxval, DType dtype, long seed) {
        Engine.getEngine("PyTorch").setRandomSeed((int) seed);
        return TorchTensor.of(b, b.manager().randomUniform((float) minval, (float) maxval, Torch.shape(shape),
                Torch.dataType(dtype)));
    }

    @Override
    public Tensor normal(Shape shape, double mean, double stddev, DType dtype, long seed) {
        Engine.getEngine("PyTorch").setRandomSeed((int) seed);
        return TorchTensor.of(b, b.manager().randomNormal((float) mean, (float) stddev, Torch.shape(shape),
                Torch.dataType(dtype)));
    }
}
