package io.sparkkeras.metrics;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.models.FitOptions;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.callbacks.History;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.sparkkeras.metrics.MetricTesting.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
class AUCTest {
    private static final float[] LABELS = {0, 0, 1, 1};
    private static final float[] SCORES = {0, 0.5f, 0.3f, 0.9f};

    /** Keras's docstring: thresholds [-1e-7, 0.5, 1 + 1e-7]; TP [2, 1, 0], FP [2, 0, 0], TN [0, 2, 2], FN [0, 1, 2]. */
    @Test
    void rocByHand() {
        AUC auc = AUC.builder().numThresholds(3).build();
        update(auc, LABELS, SCORES);
        // TPR [1, 0.5, 0], FPR [1, 0, 0]: (1 - 0) * (1 + 0.5) / 2 = 0.75
        assertEquals(0.75, auc.result(), 1e-6);
        auc.resetState();
        update(auc, LABELS, SCORES, new float[] {1, 0, 0, 1});
        assertEquals(1.0, auc.result(), 1e-6);
    }

    @Test
    void rocWithManyThresholdsIsTheRankStatistic() {
        // Distinct scores, 200 thresholds finer than their gaps: AUC = P(score_pos > score_neg) = 7/9.
        float[] labels = {1, 0, 1, 0, 1, 0};
        float[] scores = {0.85f, 0.15f, 0.55f, 0.62f, 0.33f, 0.05f};
        AUC auc = new AUC();
        update(auc, labels, scores);
        assertEquals(7.0 / 9, auc.result(), 1e-6);
        assertEquals(200, auc.thresholds().length);
        assertEquals(-1e-7, auc.thresholds()[0], 1e-12);
        assertEquals(1 + 1e-7, auc.thresholds()[199], 1e-7);
    }

    @Test
    void prCurveInterpolationAndRiemannSums() {
        AUC pr = AUC.builder().numThresholds(3).curve("PR").build();
        update(pr, LABELS, SCORES);
        // Keras's interpolate_pr_auc on TP [2, 1, 0], P = TP + FP = [4, 1, 0], FN [0, 1, 2]:
        // bucket 0: dtp 1, dp 3, slope 1/3, intercept 1 - 1/3 = 2/3, ratio 4 -> (1/3)(1 + (2/3) ln 4) / 2
        // bucket 1: dtp 1, dp 1, slope 1, intercept 0, ratio 1 -> 1 * (1 + 0) / 2
        double expected = (1.0 / 3) * (1 + (2.0 / 3) * Math.log(4)) / 2 + 0.5;
        assertEquals(expected, pr.result(), 1e-6);
        // Precision [0.5, 1, 0], recall [1, 0.5, 0]:
        AUC minoring = AUC.builder().numThresholds(3).curve("PR").summationMethod("minoring").build();
        update(minoring, LABELS, SCORES);
        assertEquals(0.5 * 0.5 + 0.5 * 0, minoring.result(), 1e-6);
        AUC majoring = AUC.builder().numThresholds(3).curve("PR").summationMethod("majoring").build();
        update(majoring, LABELS, SCORES);
        assertEquals(0.5 * 1 + 0.5 * 1, majoring.result(), 1e-6);
        AUC rocMinoring = AUC.builder().numThresholds(3).summationMethod("minoring").build();
        update(rocMinoring, LABELS, SCORES);
        assertEquals(0.5, rocMinoring.result(), 1e-6);
    }

    @Test
    void fromLogitsAndExplicitThresholds() {
        AUC logits = AUC.builder().numThresholds(3).fromLogits(true).build();
        // sigmoid(-10) ~ 0, sigmoid(0) = 0.5, sigmoid(-0.85) ~ 0.3, sigmoid(2.2) ~ 0.9: same ranks as SCORES.
        update(logits, LABELS, new float[] {-10, 0, -0.85f, 2.2f});
        assertEquals(0.75, logits.result(), 1e-6);
        AUC explicit = AUC.builder().thresholds(0.5).build();
        assertEquals(3, explicit.thresholds().length);
        update(explicit, LABELS, SCORES);
        assertEquals(0.75, explicit.result(), 1e-6);
    }

    @Test
    void inFit() {
        float[][] x = new float[64][4];
        float[] y = new float[64];
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < 4; j++) {
                x[i][j] = (float) r.nextGaussian();
            }
            y[i] = x[i][0] + x[i][1] > 0 ? 1 : 0;
        }
        Sequential model = new Sequential(new Input(4), new Dense(1, "sigmoid"));
        model.compile(new Adam(0.05), "binary_crossentropy", List.of("auc", "precision", "recall"));
        NdArray xs = NdArray.of(x);
        NdArray ys = NdArray.of(y, 64, 1);
        History h = model.fit(xs, ys, new FitOptions().epochs(2).batchSize(16).verbose(0));
        assertEquals(2, h.history().get("auc").size());
        // evaluate's metrics against the same statistics computed on the host from predict.
        java.util.Map<String, Double> logs = model.evaluate(xs, ys, 16, 0);
        float[] p = model.predict(xs).toFloatArray();
        double pairs = 0;
        double wins = 0;
        double tp = 0;
        double fp = 0;
        double fn = 0;
        for (int i = 0; i < 64; i++) {
            if (p[i] > 0.5) {
                tp += y[i];
                fp += 1 - y[i];
            } else {
                fn += y[i];
            }
            for (int j = 0; j < 64; j++) {
                if (y[i] == 1 && y[j] == 0) {
                    pairs++;
                    wins += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0;
                }
            }
        }
        assertEquals(wins / pairs, logs.get("auc"), 0.02, logs.toString());
        assertEquals(tp / (tp + fp), logs.get("precision"), 1e-6);
        assertEquals(tp / (tp + fn), logs.get("recall"), 1e-6);
        model.close();
    }

    @Test
    void configRoundTripAndDefaults() {
        AUC a = AUC.builder().numThresholds(50).curve("PR").summationMethod("majoring").fromLogits(true).name("a")
                .build();
        assertEquals(a.getConfig(), AUC.fromConfig(a.getConfig()).getConfig());
        AUC t = AUC.builder().thresholds(0.7, 0.2).build();
        assertEquals(List.of(0.2, 0.7), t.getConfig().get("thresholds"));
        assertEquals(t.getConfig(), AUC.fromConfig(t.getConfig()).getConfig());
        var c = new AUC().getConfig();
        assertEquals("auc", c.get("name"));
        assertEquals(200, c.get("num_thresholds"));
        assertEquals("ROC", c.get("curve"));
        assertEquals("interpolation", c.get("summation_method"));
        assertEquals(false, c.get("multi_label"));
        assertEquals(false, c.get("from_logits"));
        assertEquals(AUC.class, Metrics.get("auc").getClass());
    }

    @Test
    void numThresholdsMustExceedOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AUC.builder().numThresholds(1).build());
        assertTrue(e.getMessage().contains("num_thresholds=1"), e.getMessage());
    }

    @Test
    void unknownCurve() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AUC.builder().curve("DET").build());
        assertTrue(e.getMessage().contains("curve=DET"), e.getMessage());
    }

    @Test
    void unknownSummationMethod() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AUC.builder().summationMethod("simpson").build());
        assertTrue(e.getMessage().contains("summation_method=simpson"), e.getMessage());
    }

    @Test
    void thresholdsOutOfRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AUC.builder().thresholds(0.5, 2.0).build());
        assertTrue(e.getMessage().contains("thresholds=[0.5, 2.0]"), e.getMessage());
    }
}
