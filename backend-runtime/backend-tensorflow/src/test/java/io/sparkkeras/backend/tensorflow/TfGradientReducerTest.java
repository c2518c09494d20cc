package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.FitOptions;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.trainers.GradientReducer;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Data-parallel training on this backend: a {@link GradientReducer} that takes the gradients to the host (as the
 * Spark allreduce does) runs between two traced halves of the training step.
 */
@Tag("tensorflow")
class TfGradientReducerTest {
    private static final int N = 48;
    private Backends.Selection selection;

    @BeforeEach
    void select() {
        selection = Backends.use("tensorflow");
    }

    @AfterEach
    void restore() {
        selection.close();
    }

    /** Copies each gradient through host memory and scales it, as an allreduce average hands back new tensors. */
    private static final class HostReducer implements GradientReducer {
        private final float scale;
        private int steps;

        HostReducer(float scale) {
            this.scale = scale;
        }

        @Override
        public List<Tensor> reduce(List<Tensor> gradients) {
            steps++;
            List<Tensor> r = new ArrayList<>(gradients.size());
            for (Tensor g : gradients) {
                float[] v = g.toNdArray().toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] *= scale;
                }
                r.add(Ops.convertToTensor(NdArray.of(v, g.shape().intDims())));
            }
            return r;
        }
    }

    private static NdArray x() {
        float[] v = new float[N * 5];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.53);
        }
        return NdArray.of(v, N, 5);
    }

    private static NdArray y() {
        int[] v = new int[N];
        for (int i = 0; i < N; i++) {
            v[i] = i % 3;
        }
        return NdArray.of(v);
    }

    /** Weights and per-epoch losses after two epochs, with {@code reducer} or none. */
    private static Map<String, Object> train(GradientReducer reducer) {
        RandomSeeds.setRandomSeed(21);
        try (Sequential m = new Sequential(new Input(5), new Dense(8, "relu"), new Dense(3))) {
            m.compile(new Adam(1e-2), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                    List.of("accuracy"));
            m.setGradientReducer(reducer);
            List<Double> losses = m.fit(x(), y(), new FitOptions().epochs(2).batchSize(16).shuffle(false)
                    .verbose(0)).history().get("loss");
            List<float[]> weights = new ArrayList<>();
            m.weights().forEach(w -> weights.add(w.numpy().toFloatArray()));
            return Map.of("losses", losses, "weights", weights, "iterations", m.optimizer().iterations());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void anIdentityReductionThroughTheHostTrainsAsWithoutOne() {
        Map<String, Object> plain = train(null);
        HostReducer identity = new HostReducer(1f);
        Map<String, Object> reduced = train(identity);
        assertEquals(6, identity.steps);
        assertEquals(6L, reduced.get("iterations"));
        List<Double> a = (List<Double>) plain.get("losses");
        List<Double> b = (List<Double>) reduced.get("losses");
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i), b.get(i), 1e-6, "epoch " + (i + 1) + " loss");
        }
        List<float[]> wa = (List<float[]>) plain.get("weights");
        List<float[]> wb = (List<float[]>) reduced.get("weights");
        for (int i = 0; i < wa.size(); i++) {
            assertArrayEquals(wa.get(i), wb.get(i), 1e-6f, "weight " + i);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theReducedGradientsAreTheOnesApplied() {
        // Zeroed gradients leave Adam's slots at zero, so the weights never move.
        Map<String, Object> initial;
        RandomSeeds.setRandomSeed(21);
        try (Sequential m = new Sequential(new Input(5), new Dense(8, "relu"), new Dense(3))) {
            List<float[]> w = new ArrayList<>();
            m.weights().forEach(v -> w.add(v.numpy().toFloatArray()));
            initial = Map.of("weights", w);
        }
        Map<String, Object> zeroed = train(new HostReducer(0f));
        List<float[]> wa = (List<float[]>) initial.get("weights");
        List<float[]> wb = (List<float[]>) zeroed.get("weights");
        for (int i = 0; i < wa.size(); i++) {
            assertArrayEquals(wa.get(i), wb.get(i), 0f, "weight " + i);
        }
    }
}
