package io.sparkkeras.metrics;

import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.sparkkeras.metrics.MetricTesting.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
class TopKCategoricalAccuracyTest {
    private static final NdArray SCORES = NdArray.of(new float[][] {{0.1f, 0.9f, 0.8f}, {0.05f, 0.95f, 0f}});

    /** Keras's docstring examples. */
    @Test
    void topK() {
        NdArray oneHot = NdArray.of(new float[][] {{0, 0, 1}, {0, 1, 0}});
        TopKCategoricalAccuracy m = new TopKCategoricalAccuracy(1);
        update(m, oneHot, SCORES, null);
        assertEquals(0.5, m.result(), 1e-6);
        m.resetState();
        update(m, oneHot, SCORES, NdArray.of(new float[] {0.7f, 0.3f}));
        assertEquals(0.3, m.result(), 1e-6);
        TopKCategoricalAccuracy k2 = new TopKCategoricalAccuracy(2);
        update(k2, oneHot, SCORES, null);
        assertEquals(1.0, k2.result(), 1e-6);
    }

    @Test
    void sparseTopK() {
        NdArray labels = NdArray.of(new float[] {2, 1});
        SparseTopKCategoricalAccuracy m = new SparseTopKCategoricalAccuracy(1);
        update(m, labels, SCORES, null);
        assertEquals(0.5, m.result(), 1e-6);
        m.resetState();
        update(m, NdArray.of(new float[] {2, 1}, 2, 1), SCORES, NdArray.of(new float[] {0.7f, 0.3f}));
        assertEquals(0.3, m.result(), 1e-6);
        // Default k=5 with 3 classes: always a match.
        SparseTopKCategoricalAccuracy k5 = new SparseTopKCategoricalAccuracy();
        update(k5, labels, SCORES, null);
        assertEquals(1.0, k5.result(), 1e-6);
    }

    @Test
    void sparseTopKFromSortedIds() {
        NdArray labels = NdArray.of(new float[] {2, 1});
        NdArray sortedIds = NdArray.of(new float[][] {{1, 2, 0}, {1, 0, 2}});
        SparseTopKCategoricalAccuracy k1 = SparseTopKCategoricalAccuracy.builder().k(1).fromSortedIds(true).build();
        update(k1, labels, sortedIds, null);
        assertEquals(0.5, k1.result(), 1e-6);
        SparseTopKCategoricalAccuracy k2 = SparseTopKCategoricalAccuracy.builder().k(2).fromSortedIds(true).build();
        update(k2, labels, sortedIds, null);
        assertEquals(1.0, k2.result(), 1e-6);
    }

    @Test
    void configsAndRegistry() {
        TopKCategoricalAccuracy t = new TopKCategoricalAccuracy(3, "top3");
        assertEquals(t.getConfig(), TopKCategoricalAccuracy.fromConfig(t.getConfig()).getConfig());
        assertEquals(Map.of("name", "top_k_categorical_accuracy", "dtype", "float32", "k", 5),
                new TopKCategoricalAccuracy().getConfig());
        SparseTopKCategoricalAccuracy s = SparseTopKCategoricalAccuracy.builder().k(2).fromSortedIds(true).build();
        assertEquals(s.getConfig(), SparseTopKCategoricalAccuracy.fromConfig(s.getConfig()).getConfig());
        assertEquals(Map.of("name", "sparse_top_k_categorical_accuracy", "dtype", "float32", "k", 5,
                "from_sorted_ids", false), new SparseTopKCategoricalAccuracy().getConfig());
        assertEquals(TopKCategoricalAccuracy.class, Metrics.get("top_k_categorical_accuracy").getClass());
        assertEquals(SparseTopKCategoricalAccuracy.class, Metrics.get("sparse_top_k_categorical_accuracy").getClass());
        assertEquals("up", new TopKCategoricalAccuracy().direction());
    }

    @Test
    void kMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TopKCategoricalAccuracy(0));
        assertTrue(e.getMessage().contains("k=0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SparseTopKCategoricalAccuracy(-2));
        assertTrue(e.getMessage().contains("k=-2"), e.getMessage());
    }
}
