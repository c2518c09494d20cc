package io.sparkkeras.parity;

import io.sparkkeras.callbacks.History;
import io.sparkkeras.datasets.FashionMnist;
import io.sparkkeras.layers.Conv2D;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Flatten;
import io.sparkkeras.layers.Input;
import io.sparkkeras.layers.MaxPooling2D;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.FitOptions;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.function.Supplier;

import static io.sparkkeras.parity.Parity.TF;
import static io.sparkkeras.parity.Parity.TORCH;
import static io.sparkkeras.parity.Parity.on;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Whole training runs: the same seed gives the same initial weights (drawn on the host) and the same shuffles
 * (host-side), so the per-epoch losses of both backends agree.
 */
@Tag("tensorflow")
@Tag("torch")
class TrainingParityTest {
    private static FashionMnist.Data data;

    @BeforeAll
    static void load() throws Exception {
        data = FashionMnist.loadData(FashionMnist.DEFAULT_DIR, 6000, 1000);
    }

    private static List<Double> fit(String backend, Supplier<Sequential> make, NdArray x, NdArray y, int epochs) {
        return on(backend, () -> {
            RandomSeeds.setRandomSeed(42);
            Sequential m = make.get();
            m.compile(new Adam(1e-3), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                    List.of("accuracy"));
            History h = m.fit(x, y, new FitOptions().epochs(epochs).batchSize(128).seed(42).verbose(0));
            m.close();
            System.out.println(backend + ": " + h.history());
            return h.history().get("loss");
        });
    }

    private static void assertLossesClose(List<Double> torch, List<Double> tf, double tol) {
        assertEquals(torch.size(), tf.size());
        for (int i = 0; i < torch.size(); i++) {
            assertEquals(torch.get(i), tf.get(i), tol, "epoch " + (i + 1) + ": torch " + torch + ", tensorflow " + tf);
        }
    }

    @Test
    @Timeout(180)
    void mlpThreeEpochs() {
        NdArray x = FashionMnist.scaled(data.xTrain());
        Supplier<Sequential> mlp = () -> new Sequential(new Input(28, 28), new Flatten(), new Dense(256, "relu"),
                new Dense(128, "relu"), new Dense(10));
        assertLossesClose(fit(TORCH, mlp, x, data.yTrain(), 3), fit(TF, mlp, x, data.yTrain(), 3), 1e-3);
    }

    /**
     * The reference CNN without its Dropout layer: dropout masks come from each engine's own generator, so with it
     * the runs diverge by design (see LayerParityTest).
     */
    @Test
    @Timeout(180)
    void cnnWithoutDropout() {
        NdArray x = FashionMnist.scaled(data.xTrain()).rows(0, 2048).reshape(2048, 28, 28, 1);
        NdArray y = data.yTrain().rows(0, 2048);
        Supplier<Sequential> cnn = () -> new Sequential(new Input(28, 28, 1), new Conv2D(32, 3, "relu"),
                new MaxPooling2D(2), new Conv2D(64, 3, "relu"), new MaxPooling2D(2), new Flatten(), new Dense(10));
        assertLossesClose(fit(TORCH, cnn, x, y, 2), fit(TF, cnn, x, y, 2), 1e-3);
    }
}
