package io.sparkkeras.parity;

import io.sparkkeras.backend.Variable;
import io.sparkkeras.layers.BatchNormalization;
import io.sparkkeras.layers.Conv2D;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Flatten;
import io.sparkkeras.layers.Input;
import io.sparkkeras.layers.MaxPooling2D;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.FitOptions;
import io.sparkkeras.models.Model;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.saving.Models;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import static io.sparkkeras.parity.Parity.CONV_RTOL;
import static io.sparkkeras.parity.Parity.RTOL;
import static io.sparkkeras.parity.Parity.TF;
import static io.sparkkeras.parity.Parity.TORCH;
import static io.sparkkeras.parity.Parity.assertClose;
import static io.sparkkeras.parity.Parity.on;
import static io.sparkkeras.parity.Parity.random;
import static io.sparkkeras.parity.Parity.randomInts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 6: a {@code .keras} file saved on one backend loads on the other and predicts the same, in both directions.
 * Each model is fitted first, so its weights, BatchNormalization statistics and Adam slots are far from their
 * initial values; the file then carries them across as host arrays, so weights and optimizer variables arrive bit
 * for bit and predictions agree to the parity tolerance (the engines' kernels round differently). One more epoch
 * on each side checks that the reloaded slots and step count are the ones training goes on with.
 */
@Tag("tensorflow")
@Tag("torch")
@Timeout(180)
class SavedModelParityTest {
    private static final int N = 96;

    /** What one side saw: predictions, every weight and optimizer variable, and predictions after one more epoch. */
    private record State(NdArray predictions, List<NdArray> weights, List<NdArray> slots, long iterations,
            double learningRate, NdArray predictionsAfterMoreTraining, List<NdArray> weightsAfterMoreTraining) {
    }

    private static Sequential mlp() {
        return new Sequential(new Input(12), new Dense(16, "relu"), new Dense(8, "relu"), new Dense(3));
    }

    private static Sequential cnn() {
        return new Sequential(new Input(10, 10, 1), new Conv2D(4, 3, "relu"), new MaxPooling2D(2),
                new BatchNormalization(), new Flatten(), new Dense(3));
    }

    private static FitOptions epochs(int n) {
        return new FitOptions().epochs(n).batchSize(16).shuffle(false).verbose(0);
    }

    /** Builds, fits and saves on {@code backend}; returns what the saved model shows there. */
    private static State trainAndSave(String backend, Supplier<Sequential> make, NdArray x, NdArray y, Path file) {
        return on(backend, () -> {
            RandomSeeds.setRandomSeed(11);
            try (Sequential m = make.get()) {
                m.compile(new Adam(1e-2), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                        List.of("accuracy"));
                m.fit(Parity.copy(x), Parity.copy(y), epochs(2));
                m.save(file);
                return state(m, x, y);
            }
        });
    }

    /** Loads {@code file} on {@code backend}; returns what the loaded model shows there. */
    private static State load(String backend, Path file, NdArray x, NdArray y) {
        return on(backend, () -> {
            try (Model m = Models.load(file)) {
                return state(m, x, y);
            }
        });
    }

    /** Reads the state, then trains one more epoch (which changes the model: read everything first). */
    private static State state(Model m, NdArray x, NdArray y) {
        NdArray p = m.predict(Parity.copy(x));
        List<NdArray> w = Variable.numpy(m.weights());
        List<NdArray> s = Variable.numpy(m.optimizer().variables());
        long it = m.optimizer().iterations();
        double lr = m.optimizer().currentLearningRate();
        m.fit(Parity.copy(x), Parity.copy(y), epochs(1));
        return new State(p, w, s, it, lr, m.predict(Parity.copy(x)), Variable.numpy(m.weights()));
    }

    private static void check(String what, Supplier<Sequential> make, NdArray x, NdArray y, String from, String to,
            double rtol, Path dir) {
        Path file = dir.resolve(from + "-" + what + ".keras");
        State saved = trainAndSave(from, make, x, y, file);
        State loaded = load(to, file, x, y);
        String where = what + " saved on " + from + ", loaded on " + to;
        assertEquals(saved.weights().size(), loaded.weights().size(), where + ": weight count");
        for (int i = 0; i < saved.weights().size(); i++) {
            assertArrayEquals(saved.weights().get(i).toFloatArray(), loaded.weights().get(i).toFloatArray(),
                    where + ": weight " + i);
        }
        // iterations + momentum and velocity per trainable weight: the slots came across, not fresh zeros.
        assertTrue(saved.slots().size() > 1, where + ": optimizer variables");
        assertEquals(saved.slots().size(), loaded.slots().size(), where + ": optimizer variable count");
        for (int i = 0; i < saved.slots().size(); i++) {
            assertArrayEquals(saved.slots().get(i).toFloatArray(), loaded.slots().get(i).toFloatArray(),
                    where + ": optimizer variable " + i);
        }
        assertEquals(2L * N / 16, loaded.iterations(), where + ": iterations");
        assertEquals(saved.learningRate(), loaded.learningRate(), where + ": learning rate");
        // The sides are named by where they ran: here the expected one is the saving backend, not always torch.
        assertClose(where + ": predictions", from, saved.predictions(), to, loaded.predictions(), rtol);
        // If this fails, which weights parted says where to look (a rare CI failure has not been explained yet).
        assertClose(where + ": predictions after one more epoch (weights' max differences then: "
                + maxDifferences(saved.weightsAfterMoreTraining(), loaded.weightsAfterMoreTraining()) + ")", from,
                saved.predictionsAfterMoreTraining(), to, loaded.predictionsAfterMoreTraining(), rtol);
    }

    private static String maxDifferences(List<NdArray> a, List<NdArray> b) {
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < a.size(); i++) {
            float[] x = a.get(i).toFloatArray();
            float[] y = b.get(i).toFloatArray();
            double d = 0;
            for (int j = 0; j < x.length; j++) {
                d = Math.max(d, Math.abs(x[j] - y[j]));
            }
            r.append(i == 0 ? "" : ", ").append(i).append(": ").append(String.format("%.2e", d));
        }
        return r.toString();
    }

    @Test
    void mlpTorchToTensorflow(@TempDir Path dir) {
        check("mlp", SavedModelParityTest::mlp, random(1, N, 12), randomInts(2, 3, N), TORCH, TF, RTOL, dir);
    }

    @Test
    void mlpTensorflowToTorch(@TempDir Path dir) {
        check("mlp", SavedModelParityTest::mlp, random(1, N, 12), randomInts(2, 3, N), TF, TORCH, RTOL, dir);
    }

    @Test
    void cnnTorchToTensorflow(@TempDir Path dir) {
        check("cnn", SavedModelParityTest::cnn, random(3, N, 10, 10, 1), randomInts(4, 3, N), TORCH, TF, CONV_RTOL,
                dir);
    }

    @Test
    void cnnTensorflowToTorch(@TempDir Path dir) {
        check("cnn", SavedModelParityTest::cnn, random(3, N, 10, 10, 1), randomInts(4, 3, N), TF, TORCH, CONV_RTOL,
                dir);
    }
}
