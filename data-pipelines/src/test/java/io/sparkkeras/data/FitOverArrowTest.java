package io.sparkkeras.data;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.callbacks.History;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Flatten;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.FitOptions;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-off end to end: keras-core's fit and evaluate consume ArrowDataset batches on the PyTorch backend. */
@Tag("torch")
@Timeout(180)
class FitOverArrowTest {

    @Test
    void mlpLearnsFashionMnistFromArrowBatches() {
        Assertions.assertTrue(Files.exists(FashionMnist.Split.TEST.images(FashionMnist.DEFAULT_DIR)),
                "Fashion-MNIST not found: apt-get install dataset-fashion-mnist");
        Backends.setDefault("pytorch");
        try (RootAllocator allocator = new RootAllocator()) {
            try (ArrowTable images = FashionMnist.load(allocator, FashionMnist.Split.TEST);
                 // Two shards of the 10k test images: one to train on (shuffled, prefetched), one to evaluate.
                 ArrowDataset train = ArrowDataset.builder(images).shard(0, 2).batchSize(128).shuffle(true).seed(42)
                         .featureShape(28, 28).allocator(allocator).build();
                 ArrowDataset held = ArrowDataset.builder(images).shard(1, 2).batchSize(500).featureShape(28, 28)
                         .allocator(allocator).build();
                 Sequential model = new Sequential(new Input(28, 28), new Flatten(), new Dense(64, "relu"),
                         new Dense(10))) {
                model.compile(new Adam(1e-3), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                        List.of("accuracy"));
                assertEquals(40, train.numBatches());
                History h = model.fit(train, new FitOptions().epochs(3).verbose(0));
                List<Double> loss = h.history().get("loss");
                assertTrue(loss.get(2) < loss.get(0), "loss " + loss);
                Map<String, Double> m = model.evaluate(held, 0);
                assertTrue(m.get("accuracy") > 0.7, "held-out accuracy " + m);
                assertEquals(0, train.allocatedBytes());
            }
            assertEquals(0, allocator.getAllocatedMemory());
        }
    }
}
