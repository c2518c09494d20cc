package io.sparkkeras.spark;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.models.Model;
import io.sparkkeras.models.Sequential;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The per-JVM pool of loaded models keeps the most recently used ones only: each holds native memory. */
@Tag("spark")
class ModelCacheTest {
    private static byte[] bytes;

    @BeforeEach
    void keepTwoModels() {
        System.setProperty(ModelCache.MAX_MODELS_PROPERTY, "2");
        try (Sequential m = new Sequential(new Input(4), new Dense(2))) {
            bytes = ModelBytes.toBytes(m);
        }
    }

    @AfterEach
    void restoreTheDefault() {
        System.clearProperty(ModelCache.MAX_MODELS_PROPERTY);
    }

    private static Model borrow(String key) {
        return ModelCache.borrow(key, "torch", () -> bytes);
    }

    @Test
    void aModelIsLoadedOnceAndReused() {
        Model a = borrow("cache-test-a");
        ModelCache.giveBack("cache-test-a", a);
        long loads = ModelCache.loads();
        Model again = borrow("cache-test-a");
        assertSame(a, again);
        assertEquals(loads, ModelCache.loads());
        ModelCache.giveBack("cache-test-a", again);
    }

    @Test
    void theLeastRecentlyUsedModelIsDroppedBeyondTheLimit() {
        ModelCache.giveBack("cache-test-1", borrow("cache-test-1"));
        ModelCache.giveBack("cache-test-2", borrow("cache-test-2"));
        ModelCache.giveBack("cache-test-1", borrow("cache-test-1"));   // 1 is now more recent than 2
        ModelCache.giveBack("cache-test-3", borrow("cache-test-3"));   // a third model: 2 is dropped
        long loads = ModelCache.loads();
        ModelCache.giveBack("cache-test-1", borrow("cache-test-1"));
        ModelCache.giveBack("cache-test-3", borrow("cache-test-3"));
        assertEquals(loads, ModelCache.loads(), "1 and 3 are kept");
        ModelCache.giveBack("cache-test-2", borrow("cache-test-2"));
        assertEquals(loads + 1, ModelCache.loads(), "2 was dropped, so it loads again");
    }

    @Test
    @Tag("tensorflow")
    void aModelUsedOnTwoBackendsIsLoadedOnEach() {
        try (Sequential m = new Sequential(new Input(4), new Dense(2))) {
            KerasModel km = KerasModel.of(m).setBackend("torch");
            Vector x = Vectors.dense(0.5, -1, 2, 0.25);
            double[] onTorch = km.predictRaw(x).toArray();
            long loads = ModelCache.loads();
            double[] onTensorflow = km.setBackend("tensorflow").predictRaw(x).toArray();
            assertEquals(loads + 1, ModelCache.loads(), "loaded again, on tensorflow: not the torch copy");
            assertArrayEquals(onTorch, onTensorflow, 1e-5);
            assertEquals(loads + 1, ModelCache.loads());
            assertArrayEquals(onTorch, km.setBackend("torch").predictRaw(x).toArray(), 1e-12);
            assertEquals(loads + 1, ModelCache.loads(), "the torch copy is still cached");
        }
    }

    @Test
    void aCopyGivenBackForADroppedModelIsClosedNotPooled() {
        Model inUse = borrow("cache-test-x");
        ModelCache.giveBack("cache-test-y", borrow("cache-test-y"));
        ModelCache.giveBack("cache-test-z", borrow("cache-test-z"));   // x, idle-less, is dropped
        ModelCache.giveBack("cache-test-x", inUse);                    // closed, not pooled
        long loads = ModelCache.loads();
        ModelCache.giveBack("cache-test-x", borrow("cache-test-x"));
        assertEquals(loads + 1, ModelCache.loads());
    }
}
