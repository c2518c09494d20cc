package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.sparkkeras.layers.LayerTesting.assertAllClose;
import static io.sparkkeras.layers.LayerTesting.assertConfigRoundTrip;
import static io.sparkkeras.layers.LayerTesting.assertGradientsMatch;
import static io.sparkkeras.layers.LayerTesting.assertInvalid;
import static io.sparkkeras.layers.LayerTesting.call;
import static io.sparkkeras.layers.LayerTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

@Tag("torch")
class DenseTest {

    @Test
    void configRoundTrip() {
        assertConfigRoundTrip(Dense.builder(4).activation("relu").useBias(false).kernelInitializer("he_normal")
                .build(), Dense::fromConfig);
        assertConfigRoundTrip(new Dense(3), Dense::fromConfig);
    }

    @Test
    void computesXTimesKernelPlusBiasForABatchOfOne() {
        Dense dense = new Dense(2, "relu");
        dense.buildFor(Shape.of(-1, 3));
        dense.setWeights(List.of(NdArray.of(new float[] {1, -1, 2, 0, -3, 1}, 3, 2),
                NdArray.of(new float[] {0.5f, -4}, 2)));

        NdArray y = call(dense, NdArray.of(new float[] {1, 2, 3}, 1, 3));

        // [1*1 + 2*2 + 3*-3 + 0.5, 1*-1 + 2*0 + 3*1 - 4] = [-3.5, -2] -> relu
        assertEquals(Shape.of(1, 2), y.shape());
        assertAllClose(new float[] {0, 0}, y, 1e-6);
        dense.close();

        Dense linear = new Dense(2);
        linear.buildFor(Shape.of(-1, 3));
        linear.setWeights(List.of(NdArray.of(new float[] {1, -1, 2, 0, -3, 1}, 3, 2),
                NdArray.of(new float[] {0.5f, -4}, 2)));
        assertAllClose(new float[] {-3.5f, -2, 2.5f, -4},
                call(linear, NdArray.of(new float[] {1, 2, 3, 0, 1, 0}, 2, 3)),
                1e-5);
        linear.close();
    }

    @Test
    void appliesToTheLastAxisOfRank3Inputs() {
        Dense dense = new Dense(5);
        NdArray y = call(dense, random(1, 2, 3, 4));
        assertEquals(Shape.of(2, 3, 5), y.shape());
        dense.close();
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Dense dense = new Dense(3, "tanh");
        assertGradientsMatch(dense, random(2, 2, 4), false, 12);
        dense.close();
    }

    @Test
    void rejectsNonPositiveUnits() {
        assertInvalid("units", "units=0", () -> new Dense(0));
    }

    @Test
    void rejectsUnknownActivation() {
        assertInvalid("activation", "activation=nope", () -> new Dense(2, "nope"));
    }
}
