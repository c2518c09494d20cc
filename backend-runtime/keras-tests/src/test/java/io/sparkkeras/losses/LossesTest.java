package io.sparkkeras.losses;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.Scope;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every loss against values computed by hand (double precision), tolerance 1e-5. */
@Tag("torch")
class LossesTest {
    private static final double TOL = 1e-5;
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Backends.current().core().newScope();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor t(float[] v, int... shape) {
        return Ops.convertToTensor(NdArray.of(v, shape));
    }

    private static Tensor labels(int... v) {
        return Ops.convertToTensor(NdArray.of(v));
    }

    private static final float[] LOGITS = {1f, 2f, 0.5f, -1f, 0f, 3f};

    private static double[] logSoftmaxRow(float[] z, int row, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, z[row * k + j]);
        }
        double s = 0;
        for (int j = 0; j < k; j++) {
            s += Math.exp(z[row * k + j] - max);
        }
        double[] r = new double[k];
        for (int j = 0; j < k; j++) {
            r[j] = z[row * k + j] - max - Math.log(s);
        }
        return r;
    }

    @Test
    void sparseCategoricalCrossentropyFromLogits() {
        Loss loss = SparseCategoricalCrossentropy.builder().fromLogits(true).build();
        double expected = -(logSoftmaxRow(LOGITS, 0, 3)[1] + logSoftmaxRow(LOGITS, 1, 3)[2]) / 2;
        assertEquals(expected, loss.apply(labels(1, 2), t(LOGITS, 2, 3)).item(), TOL);
    }

    @Test
    void sparseCategoricalCrossentropyFromProbabilitiesRenormalisesAndClips() {
        float[] p = {0.2f, 0.6f, 0.2f, 0f, 0.5f, 0.5f};
        Loss loss = new SparseCategoricalCrossentropy();
        double expected = -(Math.log(0.6) + Math.log(1e-7)) / 2;
        assertEquals(expected, loss.apply(labels(1, 0), t(p, 2, 3)).item(), 1e-4);
    }

    @Test
    void labelsOfOneAxisMeetOneOutputRowByRow() {
        // Keras's squeeze_or_expand_to_same_rank: y_true (3,) against y_pred (3, 1) is y_true (3, 1), not a
        // (3, 3) broadcast.
        float[] y = {1f, 0f, 1f};
        float[] p = {0.9f, 0.2f, 0.6f};
        double bce = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.6)) / 3;
        double mse = (0.01 + 0.04 + 0.16) / 3;
        for (Loss loss : new Loss[] {new BinaryCrossentropy(), new MeanSquaredError()}) {
            double expected = loss instanceof BinaryCrossentropy ? bce : mse;
            assertEquals(expected, loss.apply(t(y, 3), t(p, 3, 1)).item(), TOL, loss.name());
            assertEquals(expected, loss.apply(t(y, 3, 1), t(p, 3)).item(), TOL, loss.name());
            assertEquals(expected, loss.apply(t(y, 3, 1), t(p, 3, 1)).item(), TOL, loss.name());
        }
    }

    @Test
    void sampleWeightsAndReductions() {
        float[] p = {0.2f, 0.8f, 0.5f, 0.5f};
        double l0 = -Math.log(0.8);
        double l1 = -Math.log(0.5);
        Tensor w = t(new float[] {2f, 0f}, 2);
        assertEquals((2 * l0) / 2, new SparseCategoricalCrossentropy().apply(labels(1, 0), t(p, 2, 2), w).item(), TOL);
        Loss sum = SparseCategoricalCrossentropy.builder().reduction("sum").build();
        assertEquals(l0 + l1, sum.apply(labels(1, 0), t(p, 2, 2)).item(), TOL);
        Loss none = SparseCategoricalCrossentropy.builder().reduction("none").build();
        float[] each = none.apply(labels(1, 0), t(p, 2, 2)).toFloatArray();
        assertEquals(l0, each[0], TOL);
        assertEquals(l1, each[1], TOL);
    }

    @Test
    void categoricalCrossentropyWithLabelSmoothing() {
        float[] y = {0, 1, 0, 0, 0, 1};
        Loss loss = CategoricalCrossentropy.builder().fromLogits(true).labelSmoothing(0.1).build();
        double expected = 0;
        for (int r = 0; r < 2; r++) {
            double[] lp = logSoftmaxRow(LOGITS, r, 3);
            for (int j = 0; j < 3; j++) {
                double ys = y[r * 3 + j] * 0.9 + 0.1 / 3;
                expected -= ys * lp[j];
            }
        }
        assertEquals(expected / 2, loss.apply(t(y, 2, 3), t(LOGITS, 2, 3)).item(), TOL);
    }

    @Test
    void binaryCrossentropyFromLogitsAndProbabilities() {
        float[] y = {1, 0, 1, 1};
        float[] z = {2f, -1f, 0.5f, -3f};
        double expected = 0;
        for (int i = 0; i < 4; i++) {
            double p = 1 / (1 + Math.exp(-z[i]));
            expected -= y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p);
        }
        // mean over the last axis (2), then over the batch (2): the mean of all four.
        assertEquals(expected / 4, BinaryCrossentropy.builder().fromLogits(true).build()
                .apply(t(y, 2, 2), t(z, 2, 2)).item(), TOL);
        float[] p = new float[4];
        for (int i = 0; i < 4; i++) {
            p[i] = (float) (1 / (1 + Math.exp(-z[i])));
        }
        assertEquals(expected / 4, new BinaryCrossentropy().apply(t(y, 2, 2), t(p, 2, 2)).item(), 1e-4);
    }

    @Test
    void regressionLosses() {
        float[] y = {1, 2, 3, 4};
        float[] p = {1.5f, 0f, 3f, 7f};
        assertEquals((0.25 + 4 + 0 + 9) / 4, new MeanSquaredError().apply(t(y, 2, 2), t(p, 2, 2)).item(), TOL);
        assertEquals((0.5 + 2 + 0 + 3) / 4, new MeanAbsoluteError().apply(t(y, 2, 2), t(p, 2, 2)).item(), TOL);
        // Huber, delta 1: 0.5*0.25, 1*2-0.5, 0, 1*3-0.5
        assertEquals((0.125 + 1.5 + 0 + 2.5) / 4, new Huber().apply(t(y, 2, 2), t(p, 2, 2)).item(), TOL);
    }

    @Test
    void configsRoundTripAndRegistryIds() {
        Loss l = SparseCategoricalCrossentropy.builder().fromLogits(true).reduction("sum").build();
        Map<String, Object> c = l.getConfig();
        assertEquals(c, SparseCategoricalCrossentropy.fromConfig(c).getConfig());
        assertEquals(new Huber(2.0).getConfig(), Huber.fromConfig(new Huber(2.0).getConfig()).getConfig());
        assertEquals("mean_squared_error", Losses.get("mse").name());
        assertEquals("sum_over_batch_size", Losses.get("binary_crossentropy").reduction());
    }

    @Test
    void invalidArgumentsNameTheArgumentAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparseCategoricalCrossentropy.builder().reduction("avg").build());
        assertTrue(e.getMessage().contains("reduction=avg"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Huber(-1));
        assertTrue(e.getMessage().contains("delta=-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CategoricalCrossentropy.builder().labelSmoothing(2).build());
        assertTrue(e.getMessage().contains("label_smoothing=2"), e.getMessage());
    }
}
