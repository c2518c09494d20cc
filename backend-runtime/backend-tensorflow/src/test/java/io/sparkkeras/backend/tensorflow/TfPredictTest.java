package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.layers.BatchNormalization;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tensorflow.GraphOperation;

import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code predict} runs a traced predict step (Keras's {@code predict_function}), traced once per batch shape. */
@Tag("tensorflow")
class TfPredictTest {
    private Backends.Selection selection;

    @BeforeEach
    void select() {
        selection = Backends.use("tensorflow");
    }

    @AfterEach
    void restore() {
        selection.close();
    }

    /** Name scopes of the traced predict steps in the graph so far. */
    private static Set<String> predictTraces() {
        Set<String> scopes = new HashSet<>();
        Iterator<GraphOperation> it = ((TfBackend) Backends.current()).currentGraph().graph.operations();
        while (it.hasNext()) {
            String name = it.next().name();
            if (name.startsWith("predict_step_")) {
                scopes.add(name.substring(0, name.indexOf('/') < 0 ? name.length() : name.indexOf('/')));
            }
        }
        return scopes;
    }

    @Test
    void predictTracesOncePerBatchShapeAcrossCalls() {
        RandomSeeds.setRandomSeed(3);
        float[] v = new float[20 * 6];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.cos(i * 0.7);
        }
        NdArray x = NdArray.of(v, 20, 6);
        try (Sequential m = new Sequential(new Input(6), new Dense(5, "relu"), new BatchNormalization(),
                new Dense(3))) {
            int before = predictTraces().size();
            // Batches of 8, 8 and 4: two signatures.
            float[] traced = m.predict(x, 8).toFloatArray();
            assertEquals(before + 2, predictTraces().size(), "traced predict steps");
            // The model keeps its predict step, as Keras keeps predict_function: calls reuse the traces.
            m.predict(x, 8);
            assertEquals(before + 2, predictTraces().size(), "a second predict traced again");
            float[] whole = m.predictOnBatch(x).toFloatArray();
            for (int i = 0; i < 5; i++) {
                m.predictOnBatch(x);
            }
            assertEquals(before + 3, predictTraces().size(), "predictOnBatch traces once per batch shape");
            assertArrayEquals(whole, traced, 1e-6f);
        }
    }
}
