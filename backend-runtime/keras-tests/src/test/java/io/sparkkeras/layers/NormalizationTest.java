package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.initializers.Initializers;
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
import static io.sparkkeras.layers.LayerTesting.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** BatchNormalization and LayerNormalization. */
@Tag("torch")
class NormalizationTest {

    @Test
    void configRoundTrip() {
        assertConfigRoundTrip(BatchNormalization.builder().axis(1).momentum(0.9).epsilon(1e-5).center(false)
                .gammaInitializer(Initializers.constant(2)).build(), BatchNormalization::fromConfig);
        assertConfigRoundTrip(new BatchNormalization(), BatchNormalization::fromConfig);
        assertConfigRoundTrip(new LayerNormalization(), LayerNormalization::fromConfig);
        assertConfigRoundTrip(LayerNormalization.builder().axis(1, 2).epsilon(1e-6).scale(false).build(),
                LayerNormalization::fromConfig);
    }

    @Test
    void batchNormDefaultsAreKeras() {
        var c = new BatchNormalization().getConfig();
        assertEquals(-1, c.get("axis"));
        assertEquals(0.99, c.get("momentum"));
        assertEquals(1e-3, c.get("epsilon"));
        assertEquals(true, c.get("center"));
        assertEquals(true, c.get("scale"));
    }

    /** Per-feature batch statistics of a (n, f) array: {mean[f], biased variance[f]}. */
    private static double[][] moments(float[] x, int n, int f) {
        double[][] m = new double[2][f];
        for (int j = 0; j < f; j++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += x[i * f + j];
            }
            double mean = s / n;
            double v = 0;
            for (int i = 0; i < n; i++) {
                v += (x[i * f + j] - mean) * (x[i * f + j] - mean);
            }
            m[0][j] = mean;
            m[1][j] = v / n;
        }
        return m;
    }

    @Test
    void batchNormTrainingUsesBatchStatisticsAndUpdatesMovingOnes() {
        int n = 5;
        int f = 3;
        float[] x = values(41, n * f);
        for (int i = 0; i < x.length; i++) {
            x[i] = x[i] * 3 + 2;
        }
        BatchNormalization bn = new BatchNormalization();
        bn.buildFor(Shape.of(-1, f));
        float[] gamma = {1.5f, -1, 0.5f};
        float[] beta = {0.1f, 0, -2};
        bn.setWeights(List.of(NdArray.of(gamma, f), NdArray.of(beta, f), NdArray.of(new float[] {0, 0, 0}, f),
                NdArray.of(new float[] {1, 1, 1}, f)));

        NdArray y = call(bn, NdArray.of(x, n, f), true);

        double[][] m = moments(x, n, f);
        float[] expected = new float[n * f];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < f; j++) {
                expected[i * f + j] = (float) (gamma[j] * (x[i * f + j] - m[0][j]) / Math.sqrt(m[1][j] + 1e-3)
                        + beta[j]);
            }
        }
        assertAllClose(expected, y, 1e-4);
        float[] movingMean = new float[f];
        float[] movingVar = new float[f];
        for (int j = 0; j < f; j++) {
            movingMean[j] = (float) (0 * 0.99 + m[0][j] * 0.01);
            movingVar[j] = (float) (1 * 0.99 + m[1][j] * 0.01);
        }
        assertAllClose(movingMean, bn.movingMean().numpy(), 1e-6);
        assertAllClose(movingVar, bn.movingVariance().numpy(), 1e-6);
        assertEquals(List.of("gamma", "beta", "moving_mean", "moving_variance"),
                bn.weights().stream().map(v -> v.name()).toList());
        assertEquals(2, bn.trainableWeights().size());
        bn.close();
    }

    @Test
    void batchNormTrainingOnImagesReducesBatchRowsAndColumns() {
        int f = 3;
        int n = 2 * 2 * 3;   // (2, 2, 3, f): every position of every image is a sample of each channel
        float[] x = values(40, n * f);
        BatchNormalization bn = BatchNormalization.builder().scale(false).center(false).build();

        NdArray y = call(bn, NdArray.of(x, 2, 2, 3, f), true);

        double[][] m = moments(x, n, f);
        float[] expected = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = (float) ((x[i] - m[0][i % f]) / Math.sqrt(m[1][i % f] + 1e-3));
        }
        assertAllClose(expected, y, 1e-5);
        bn.close();
    }

    @Test
    void batchNormInferenceUsesMovingStatisticsAndLeavesThemAlone() {
        BatchNormalization bn = BatchNormalization.builder().center(false).epsilon(0.01).build();
        bn.buildFor(Shape.of(-1, 2, 2));
        bn.setWeights(List.of(NdArray.of(new float[] {2, 3}, 2), NdArray.of(new float[] {1, -1}, 2),
                NdArray.of(new float[] {4, 0.25f}, 2)));

        NdArray y = call(bn, NdArray.of(new float[] {1, 2, 3, -1}, 1, 2, 2), false);

        // gamma * (x - mean) / sqrt(var + eps), feature = last axis
        assertAllClose(new float[] {0, (float) (3 * 3 / Math.sqrt(0.26)), (float) (2 * 2 / Math.sqrt(4.01)), 0}, y,
                1e-5);
        assertAllClose(new float[] {1, -1}, bn.movingMean().numpy(), 0);
        assertAllClose(new float[] {4, 0.25f}, bn.movingVariance().numpy(), 0);
        bn.close();
    }

    @Test
    void batchNormOnAnInnerAxisAndFrozenLayersUseMovingStatistics() {
        BatchNormalization bn = BatchNormalization.builder().axis(1).build();
        float[] x = values(42, 2 * 3 * 2);
        NdArray y = call(bn, NdArray.of(x, 2, 3, 2), false);
        assertEquals(Shape.of(3), bn.gamma().shape());
        float[] expected = x.clone();
        for (int i = 0; i < x.length; i++) {
            expected[i] = (float) (x[i] / Math.sqrt(1 + 1e-3));
        }
        assertAllClose(expected, y, 1e-6);
        bn.setTrainable(false);
        call(bn, NdArray.of(x, 2, 3, 2), true);
        assertAllClose(new float[] {0, 0, 0}, bn.movingMean().numpy(), 0);
        bn.close();
    }

    @Test
    void batchNormGradientsMatchFiniteDifferences() {
        BatchNormalization bn = BatchNormalization.builder().gammaInitializer(Initializers.constant(1.3)).build();
        assertGradientsMatch(bn, random(43, 4, 3), true, 3);
        assertGradientsMatch(bn, random(44, 4, 3), false, 3);
        bn.close();
    }

    @Test
    void batchNormRejectsMomentumOutsideZeroToOne() {
        assertInvalid("momentum", "momentum=1.5", () -> BatchNormalization.builder().momentum(1.5).build());
    }

    @Test
    void batchNormRejectsNegativeEpsilon() {
        assertInvalid("epsilon", "epsilon=-1.0", () -> BatchNormalization.builder().epsilon(-1).build());
    }

    @Test
    void batchNormRejectsAnAxisOutsideTheInput() {
        assertInvalid("axis", "axis=3", () -> BatchNormalization.builder().axis(3).build().buildFor(Shape.of(-1, 4)));
    }

    @Test
    void batchNormRejectsRenorm() {
        var c = new BatchNormalization().getConfig();
        c.put("renorm", true);
        assertInvalid("renorm", "renorm=true", () -> BatchNormalization.fromConfig(c));
    }

    @Test
    void layerNormNormalizesEachSample() {
        int n = 1;
        int f = 5;
        float[] x = values(45, n * f);
        LayerNormalization ln = new LayerNormalization();
        ln.buildFor(Shape.of(-1, f));
        float[] gamma = values(46, f);
        float[] beta = values(47, f);
        ln.setWeights(List.of(NdArray.of(gamma, f), NdArray.of(beta, f)));

        NdArray y = call(ln, NdArray.of(x, n, f), true);

        double[][] m = moments(x, f, 1);   // one sample: the moments of its 5 values
        float[] expected = new float[f];
        for (int j = 0; j < f; j++) {
            expected[j] = (float) (gamma[j] * (x[j] - m[0][0]) / Math.sqrt(m[1][0] + 1e-3) + beta[j]);
        }
        assertAllClose(expected, y, 1e-5);
        ln.close();
    }

    @Test
    void layerNormOverSeveralAxes() {
        LayerNormalization ln = LayerNormalization.builder().axis(1, 2).center(false).build();
        float[] x = values(48, 2 * 2 * 3);
        NdArray y = call(ln, NdArray.of(x, 2, 2, 3));
        assertEquals(Shape.of(2, 3), ln.gamma().shape());
        float[] expected = new float[x.length];
        for (int b = 0; b < 2; b++) {
            float[] sample = java.util.Arrays.copyOfRange(x, b * 6, b * 6 + 6);
            double[][] m = moments(sample, 6, 1);
            for (int i = 0; i < 6; i++) {
                expected[b * 6 + i] = (float) ((sample[i] - m[0][0]) / Math.sqrt(m[1][0] + 1e-3));
            }
        }
        assertAllClose(expected, y, 1e-5);
        ln.close();
    }

    @Test
    void layerNormGradientsMatchFiniteDifferences() {
        LayerNormalization ln = LayerNormalization.builder().gammaInitializer(Initializers.constant(0.7)).build();
        assertGradientsMatch(ln, random(49, 3, 4), false, 4);
        ln.close();
    }

    @Test
    void layerNormRejectsDuplicateAxes() {
        assertInvalid("axis", "axis=[1, -1]",
                () -> LayerNormalization.builder().axis(1, -1).build().buildFor(Shape.of(-1, 4)));
    }

    @Test
    void layerNormRejectsAnAxisOutsideTheInput() {
        assertInvalid("axis", "axis=2", () -> LayerNormalization.builder().axis(2).build().buildFor(Shape.of(-1, 4)));
    }

    @Test
    void layerNormRejectsNegativeEpsilon() {
        assertInvalid("epsilon", "epsilon=-0.5", () -> LayerNormalization.builder().epsilon(-0.5).build());
    }
}
