package io.sparkkeras.models;

import io.sparkkeras.callbacks.History;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Flatten;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.datasets.FashionMnist;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
class SequentialTrainingTest {

    @Test
    @Timeout(300)
    void mlpLearnsFashionMnistSubset() throws Exception {
        RandomSeeds.setRandomSeed(7);
        FashionMnist.Data d = FashionMnist.loadData(FashionMnist.DEFAULT_DIR, 12000, 2000);
        NdArray x = FashionMnist.scaled(d.xTrain());
        NdArray y = d.yTrain();
        NdArray xTest = FashionMnist.scaled(d.xTest());
        NdArray yTest = d.yTest();

        Sequential model = new Sequential(
                new Input(28, 28),
                new Flatten(),
                new Dense(256, "relu"),
                new Dense(128, "relu"),
                new Dense(10));
        model.compile(new Adam(1e-3), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                List.of("accuracy"));
        model.summary();
        History h = model.fit(x, y, new FitOptions().epochs(3).batchSize(128).verbose(2));
        Map<String, Double> result = model.evaluate(xTest, yTest, 256, 0);

        List<Double> losses = h.history().get("loss");
        assertTrue(losses.get(2) < losses.get(0), "loss should fall: " + losses);
        assertTrue(result.get("accuracy") > 0.80, "test accuracy " + result);
        model.close();
    }
}
