package io.sparkkeras.saving;

import io.sparkkeras.datasets.FashionMnist;
import io.sparkkeras.layers.InputLayer;
import io.sparkkeras.models.Model;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5: the CNN saved by Python Keras 3.10 in {@code shared/fixtures/} loads and classifies the Fashion-MNIST test
 * set exactly as documented there (accuracy 0.9051; image 0 is class 9 with probability 0.9995).
 */
@Tag("torch")
@Timeout(120)
class FashionMnistFixtureTest {

    @Test
    void fixtureClassifiesTheTestSetAsDocumented() throws Exception {
        try (Model model = Models.load(Fixtures.fashionMnistCnn())) {
            Sequential seq = assertInstanceOf(Sequential.class, model);
            InputLayer in = seq.inputLayer();
            assertEquals(List.of(28L, 28L, 1L), in.shape().toList());
            assertEquals(8, seq.layers().size());
            assertTrue(model.isCompiled());
            assertInstanceOf(Adam.class, model.optimizer());
            assertEquals(17500, model.optimizer().iterations());

            FashionMnist.Data data = FashionMnist.loadData(FashionMnist.DEFAULT_DIR, 0, Integer.MAX_VALUE);
            NdArray x = FashionMnist.scaled(data.xTest()).reshape(-1, 28, 28, 1);
            int[] y = data.yTest().toIntArray();
            float[] p = model.predict(x, 500).toFloatArray();
            assertEquals(10_000 * 10, p.length);
            int correct = 0;
            for (int i = 0; i < y.length; i++) {
                int best = 0;
                for (int k = 1; k < 10; k++) {
                    if (p[i * 10 + k] > p[i * 10 + best]) {
                        best = k;
                    }
                }
                correct += best == y[i] ? 1 : 0;
            }
            System.out.println("fixture test_accuracy=" + correct / 10_000.0 + " p0[9]=" + p[9]);
            assertEquals(9051, correct, "correctly classified test images");
            assertEquals(9, y[0]);
            assertEquals(0.9995, p[9], 5e-5, "probability of class 9 for test image 0");
        }
    }
}
