package io.sparkkeras.models;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.optimizers.SGD;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Arrays given to setWeights stay the caller's: training changes the model, never them. */
@Tag("torch")
class WeightsOwnershipTest {

    @Test
    void trainingDoesNotWriteIntoArraysPassedToSetWeights() {
        Sequential model = new Sequential(new Input(3), new Dense(2));
        model.compile(SGD.builder().learningRate(0.5).build(), "mse", List.of());
        List<NdArray> given = model.getWeights();
        List<float[]> before = new ArrayList<>();
        for (NdArray a : given) {
            before.add(a.toFloatArray());
        }
        model.setWeights(given);
        NdArray x = NdArray.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        NdArray y = NdArray.of(new float[] {1, 0, 0, 1}, 2, 2);
        model.fit(x, y, new FitOptions().epochs(3).batchSize(2).verbose(0));
        for (int i = 0; i < given.size(); i++) {
            assertArrayEquals(before.get(i), given.get(i).toFloatArray(), 0f, "array " + i + " was changed");
        }
        assertFalse(java.util.Arrays.equals(before.get(0), model.getWeights().get(0).toFloatArray()),
                "the model itself trained");
        model.close();
    }
}
