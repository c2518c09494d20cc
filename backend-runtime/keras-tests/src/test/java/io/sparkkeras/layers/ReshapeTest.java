package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static io.sparkkeras.layers.LayerTesting.assertAllClose;
import static io.sparkkeras.layers.LayerTesting.assertConfigRoundTrip;
import static io.sparkkeras.layers.LayerTesting.assertInvalid;
import static io.sparkkeras.layers.LayerTesting.call;
import static io.sparkkeras.layers.LayerTesting.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reshape and Permute. */
@Tag("torch")
class ReshapeTest {

    @Test
    void configRoundTrip() {
        assertConfigRoundTrip(new Reshape(3, -1), Reshape::fromConfig);
        assertConfigRoundTrip(new Permute(2, 3, 1), Permute::fromConfig);
    }

    @Test
    void reshapeKeepsValuesAndInfersMinusOne() {
        float[] x = values(31, 2 * 12);
        Reshape r = new Reshape(-1, 2, 2);
        NdArray y = call(r, NdArray.of(x, 2, 12));
        assertEquals(Shape.of(2, 3, 2, 2), y.shape());
        assertAllClose(x, y, 0);
        assertEquals(Shape.of(-1, 3, 2, 2), r.computeOutputShape(Shape.of(-1, 12)));
        assertEquals(Shape.of(1, 3, 4), call(new Reshape(3, 4), NdArray.of(values(32, 12), 1, 12)).shape());
    }

    @Test
    void reshapeRejectsNegativeDimensions() {
        assertInvalid("target_shape", "target_shape=[3, -2]", () -> new Reshape(3, -2));
    }

    @Test
    void reshapeRejectsTwoUnknownDimensions() {
        assertInvalid("target_shape", "target_shape=[-1, -1]", () -> new Reshape(-1, -1));
    }

    @Test
    void reshapeRejectsADifferentSize() {
        assertInvalid("target_shape", "target_shape=[5]", () -> new Reshape(5).computeOutputShape(Shape.of(-1, 2, 3)));
    }

    @Test
    void permuteMovesAxesLikeATranspose() {
        // x[b][i][j][k], shape (1, 2, 3, 2); Permute(3, 1, 2) gives y[b][k][i][j]
        float[] x = values(33, 12);
        NdArray y = call(new Permute(3, 1, 2), NdArray.of(x, 1, 2, 3, 2));
        assertEquals(Shape.of(1, 2, 2, 3), y.shape());
        float[] expected = new float[12];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 2; k++) {
                    expected[(k * 2 + i) * 3 + j] = x[(i * 3 + j) * 2 + k];
                }
            }
        }
        assertAllClose(expected, y, 0);
        assertEquals(Shape.of(-1, 2, 7, 5), new Permute(3, 1, 2).computeOutputShape(Shape.of(-1, 7, 5, 2)));
    }

    @Test
    void permuteRejectsAxesThatAreNotAPermutationFromOne() {
        assertInvalid("dims", "dims=[0, 1]", () -> new Permute(0, 1));
        assertInvalid("dims", "dims=[1, 3]", () -> new Permute(1, 3));
    }
}
