package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.initializers.RandomUniform;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.sparkkeras.layers.LayerTesting.assertAllClose;
import static io.sparkkeras.layers.LayerTesting.assertConfigRoundTrip;
import static io.sparkkeras.layers.LayerTesting.assertGradientsMatch;
import static io.sparkkeras.layers.LayerTesting.assertInvalid;
import static io.sparkkeras.layers.LayerTesting.call;
import static io.sparkkeras.layers.LayerTesting.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
class EmbeddingTest {

    @Test
    void configRoundTrip() {
        assertConfigRoundTrip(new Embedding(10, 4), Embedding::fromConfig);
        assertConfigRoundTrip(Embedding.builder(7, 2).embeddingsInitializer("glorot_uniform").build(),
                Embedding::fromConfig);
    }

    @Test
    void defaultInitializerIsKerasUniform() {
        @SuppressWarnings("unchecked")
        Map<String, Object> init = (Map<String, Object>) new Embedding(3, 2).getConfig().get("embeddings_initializer");
        assertEquals("RandomUniform", init.get("class_name"));
        Embedding e = new Embedding(50, 8);
        e.buildFor(Shape.of(-1, 1));
        for (float v : e.embeddings().numpy().toFloatArray()) {
            assertTrue(v >= -0.05f && v <= 0.05f, "in [-0.05, 0.05]: " + v);
        }
        e.close();
        Map<String, Object> c = new Embedding(3, 2).getConfig();
        c.put("embeddings_initializer", "uniform");
        assertEquals(RandomUniform.class.getSimpleName(),
                ((Map<?, ?>) Embedding.fromConfig(c).getConfig().get("embeddings_initializer")).get("class_name"));
    }

    @Test
    void looksUpRowsForIntegerAndFloatIds() {
        Embedding e = new Embedding(4, 3);
        e.buildFor(Shape.of(-1, 2));
        float[] table = values(51, 12);
        e.setWeights(List.of(NdArray.of(table, 4, 3)));

        NdArray y = call(e, NdArray.of(new int[] {3, 0, 1, 3}, 2, 2));

        assertEquals(Shape.of(2, 2, 3), y.shape());
        float[] expected = new float[12];
        int[] ids = {3, 0, 1, 3};
        for (int i = 0; i < 4; i++) {
            System.arraycopy(table, ids[i] * 3, expected, i * 3, 3);
        }
        assertAllClose(expected, y, 0);
        assertAllClose(expected, call(e, NdArray.of(new long[] {3, 0, 1, 3}, 2, 2)), 0);
        assertAllClose(expected, call(e, NdArray.of(new float[] {3, 0, 1, 3}, 2, 2)), 0);
        assertEquals(Shape.of(-1, 2, 3), e.computeOutputShape(Shape.of(-1, 2)));
        e.close();
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Embedding e = new Embedding(5, 2);
        assertGradientsMatch(e, NdArray.of(new float[] {4, 1, 1, 0}, 1, 4), false, 10);
        e.close();
    }

    @Test
    void rejectsNonPositiveInputDim() {
        assertInvalid("input_dim", "input_dim=0", () -> new Embedding(0, 4));
    }

    @Test
    void rejectsNonPositiveOutputDim() {
        assertInvalid("output_dim", "output_dim=-2", () -> new Embedding(4, -2));
    }

    @Test
    void rejectsMaskZero() {
        assertInvalid("mask_zero", "mask_zero=true", () -> Embedding.builder(4, 2).maskZero(true).build());
    }
}
