package io.sparkkeras.metrics;

import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.sparkkeras.metrics.MetricTesting.update;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
class PrecisionRecallTest {
    private static final float[] LABELS = {0, 1, 1, 1};
    private static final float[] PREDS = {1, 0, 1, 1};

    /** Keras's docstring examples. */
    @Test
    void precision() {
        Precision m = new Precision();
        update(m, LABELS, PREDS);
        assertEquals(2.0 / 3, m.result(), 1e-6);
        m.resetState();
        update(m, LABELS, PREDS, new float[] {0, 0, 1, 0});
        assertEquals(1.0, m.result(), 1e-6);
    }

    @Test
    void recall() {
        Recall m = new Recall();
        update(m, LABELS, PREDS);
        assertEquals(2.0 / 3, m.result(), 1e-6);
        m.resetState();
        update(m, LABELS, PREDS, new float[] {0, 0, 1, 0});
        assertEquals(1.0, m.result(), 1e-6);
    }

    @Test
    void topK() {
        // Keras's docstring uses tied scores; ties follow the backend's top_k, so distinct scores here.
        Precision p2 = Precision.builder().topK(2).build();
        update(p2, NdArray.of(new float[][] {{0, 0, 1, 1}}), NdArray.of(new float[][] {{0.4f, 0.3f, 0.2f, 0.1f}}),
                null);
        assertEquals(0.0, p2.result(), 1e-6);
        Precision p4 = Precision.builder().topK(4).build();
        update(p4, NdArray.of(new float[][] {{0, 0, 1, 1}}), NdArray.of(new float[][] {{1, 1, 1, 1}}), null);
        assertEquals(0.5, p4.result(), 1e-6);
        Recall r = Recall.builder().topK(2).build();
        update(r, NdArray.of(new float[][] {{0, 0, 1, 1}}), NdArray.of(new float[][] {{0.1f, 0.35f, 0.9f, 0.3f}}), null);
        assertEquals(0.5, r.result(), 1e-6);
    }

    @Test
    void thresholdsAndClassIdOnHandMadePredictions() {
        // Scores against labels; by hand: at 0.3 -> tp 3, fp 2, fn 0; at 0.7 -> tp 1, fp 0, fn 2.
        float[] labels = {1, 1, 1, 0, 0, 0};
        float[] scores = {0.9f, 0.5f, 0.4f, 0.6f, 0.35f, 0.1f};
        Precision p = Precision.builder().thresholds(0.3, 0.7).build();
        Recall r = Recall.builder().thresholds(0.3, 0.7).build();
        update(p, labels, scores);
        update(r, labels, scores);
        assertArrayEquals(new double[] {3.0 / 5, 1.0}, p.results(), 1e-6);
        assertArrayEquals(new double[] {1.0, 1.0 / 3}, r.results(), 1e-6);
        // class_id picks one column of 2-D predictions.
        Recall c1 = Recall.builder().classId(1).build();
        update(c1, NdArray.of(new float[][] {{0, 1}, {0, 1}, {1, 0}}),
                NdArray.of(new float[][] {{0.2f, 0.8f}, {0.9f, 0.1f}, {0.3f, 0.7f}}), null);
        assertEquals(0.5, c1.result(), 1e-6);
    }

    @Test
    void configsAndRegistry() {
        Precision p = Precision.builder().thresholds(0.2, 0.6).classId(2).name("p").build();
        assertEquals(p.getConfig(), Precision.fromConfig(p.getConfig()).getConfig());
        Recall r = Recall.builder().topK(3).build();
        assertEquals(r.getConfig(), Recall.fromConfig(r.getConfig()).getConfig());
        Recall single = new Recall(0.4);
        assertEquals(0.4, single.getConfig().get("thresholds"));
        assertEquals(single.getConfig(), Recall.fromConfig(single.getConfig()).getConfig());
        var defaults = new Precision().getConfig();
        assertEquals("precision", defaults.get("name"));
        assertNull(defaults.get("thresholds"));
        assertNull(defaults.get("top_k"));
        assertNull(defaults.get("class_id"));
        assertEquals(List.of("name", "dtype", "thresholds", "top_k", "class_id"), List.copyOf(defaults.keySet()));
        assertEquals(Precision.class, Metrics.get("precision").getClass());
        assertEquals(Recall.class, Metrics.get("recall").getClass());
    }

    @Test
    void thresholdOutOfRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Precision(1.5));
        assertTrue(e.getMessage().contains("thresholds=1.5"), e.getMessage());
    }

    @Test
    void topKMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Recall.builder().topK(0).build());
        assertTrue(e.getMessage().contains("top_k=0"), e.getMessage());
    }

    @Test
    void classIdMustNotBeNegative() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Recall.builder().classId(-1).build());
        assertTrue(e.getMessage().contains("class_id=-1"), e.getMessage());
    }
}
