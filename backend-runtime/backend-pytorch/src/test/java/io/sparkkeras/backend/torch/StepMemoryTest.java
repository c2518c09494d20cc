package io.sparkkeras.backend.torch;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.layers.BatchNormalization;
import io.sparkkeras.layers.Conv2D;
import io.sparkkeras.layers.Conv2DTranspose;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Flatten;
import io.sparkkeras.layers.Input;
import io.sparkkeras.layers.LayerNormalization;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.FitOptions;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DJL attaches an op's result to its first operand's manager. For an op on a variable (a kernel transposed for
 * libtorch's layout) that is the long-lived variables manager, where a step's intermediates would pile up. Every
 * step must leave that manager as it found it.
 */
class StepMemoryTest {

    @Test
    void trainingStepsLeaveNothingWithTheVariables() {
        try (Backends.Selection s = Backends.use("torch")) {
            TorchBackend torch = (TorchBackend) Backends.current();
            Sequential model = new Sequential(
                    new Input(8, 8, 1),
                    new Conv2D(4, 3, "relu"),
                    new BatchNormalization(),
                    new Conv2DTranspose(2, 3, "relu"),
                    new Flatten(),
                    new LayerNormalization(),
                    new Dense(16, "relu"),
                    new Dense(3));
            model.compile(new Adam(1e-3), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                    List.of("accuracy"));
            Random r = new Random(7);
            float[] x = new float[32 * 64];
            int[] y = new int[32];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextFloat();
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = r.nextInt(3);
            }
            NdArray xs = NdArray.of(x).reshape(32, 8, 8, 1);
            NdArray ys = NdArray.of(y);
            FitOptions o = new FitOptions().epochs(3).batchSize(8).verbose(0);
            // The first round builds weights, optimizer slots and cached constants.
            int[] after = new int[3];
            for (int round = 0; round < after.length; round++) {
                model.fit(xs, ys, o);
                model.evaluate(xs, ys);
                model.predict(xs);
                after[round] = torch.variablesManager().getManagedArrays().size();
            }
            assertEquals(after[1], after[2],
                    "arrays left in the variables manager by 12 training steps, evaluate and predict");
            model.close();
        }
    }
}
