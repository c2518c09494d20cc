package io.sparkkeras.models;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.callbacks.History;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.layers.KerasTensor;
import io.sparkkeras.losses.MeanSquaredError;
import io.sparkkeras.optimizers.SGD;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
@Timeout(120)
class FunctionalModelTest {

    @Test
    void symbolicShapesComeFromEachLayer() {
        KerasTensor in = Input.of(784);
        KerasTensor h = new Dense(64, "relu").apply(in);
        KerasTensor out = new Dense(10).apply(h);
        assertEquals(Shape.of(Shape.UNKNOWN, 64), h.shape());
        assertEquals(Shape.of(Shape.UNKNOWN, 10), out.shape());
        Model model = new Model(in, out);
        assertEquals(784 * 64 + 64 + 64 * 10 + 10, model.countParams());
        assertEquals("Functional", model.className());
        String summary = model.summaryString();
        assertTrue(summary.contains("(None, 10)") && summary.contains("Total params: 50,890"), summary);
    }

    @Test
    void twoInputsTwoOutputsAndASharedLayerTrain() {
        RandomSeeds.setRandomSeed(3);
        Dense shared = new Dense(8, "tanh");
        KerasTensor a = Input.of(4);
        KerasTensor b = Input.of(4);
        KerasTensor ha = shared.apply(a);
        KerasTensor hb = shared.apply(b);
        KerasTensor sum = new io.sparkkeras.layers.Add().apply(ha, hb);
        KerasTensor out1 = new Dense(1).apply(sum);
        KerasTensor out2 = new Dense(2).apply(hb);
        Model model = new Model(List.of(a, b), List.of(out1, out2), "two_heads");
        // The shared layer's weights count once.
        assertEquals(4 * 8 + 8 + 8 + 1 + 8 * 2 + 2, model.countParams());

        int n = 64;
        float[] xa = new float[n * 4];
        float[] xb = new float[n * 4];
        float[] y1 = new float[n];
        float[] y2 = new float[n * 2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                xa[i * 4 + j] = (float) Math.sin(i + j);
                xb[i * 4 + j] = (float) Math.cos(i * j);
            }
            y1[i] = xa[i * 4] + xb[i * 4 + 1];
            y2[i * 2] = xb[i * 4 + 2];
            y2[i * 2 + 1] = -xb[i * 4 + 3];
        }
        model.compile(SGD.builder().learningRate(0.05).build(), new MeanSquaredError(), List.of());
        History h = model.fit(List.of(NdArray.of(xa, n, 4), NdArray.of(xb, n, 4)),
                List.of(NdArray.of(y1, n, 1), NdArray.of(y2, n, 2)), new FitOptions().epochs(20).batchSize(16).verbose(0));
        List<Double> loss = h.history().get("loss");
        assertTrue(loss.get(loss.size() - 1) < loss.get(0) * 0.7, "loss " + loss);
        List<NdArray> preds = model.predictAll(List.of(NdArray.of(xa, n, 4), NdArray.of(xb, n, 4)), 32);
        assertEquals(Shape.of(n, 1), preds.get(0).shape());
        assertEquals(Shape.of(n, 2), preds.get(1).shape());
        model.close();
    }

    @Test
    void disconnectedGraphNamesTheInput() {
        KerasTensor a = Input.of(4);
        KerasTensor b = Input.of(4);
        KerasTensor out = new Dense(1).apply(b);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Model(a, out));
        assertTrue(e.getMessage().contains("Graph disconnected"), e.getMessage());
    }

    /** A subclassed model: layers in fields are tracked, call is user code. */
    static final class TwoLayer extends Model {
        private final Dense hidden = new Dense(16, "relu");
        private final Dense head = new Dense(1);

        @Override
        protected Tensor call(Tensor inputs, boolean training) {
            return head.apply(hidden.apply(inputs, training), training);
        }

        @Override
        public Shape computeOutputShape(Shape inputShape) {
            return inputShape.with(-1, 1);
        }
    }

    @Test
    void subclassedModelTracksFieldLayersAndTrains() {
        RandomSeeds.setRandomSeed(5);
        TwoLayer model = new TwoLayer();
        assertEquals(2, model.layers().size());
        assertSame(model.layers().get(0), model.hidden);
        int n = 128;
        float[] x = new float[n * 3];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                x[i * 3 + j] = (float) Math.sin(0.1 * i * (j + 1));
            }
            y[i] = 2 * x[i * 3] - x[i * 3 + 2];
        }
        model.compile(new io.sparkkeras.optimizers.Adam(1e-2), "mse", List.of());
        History h = model.fit(NdArray.of(x, n, 3), NdArray.of(y, n, 1), new FitOptions().epochs(30).batchSize(32)
                .verbose(0));
        assertEquals(3 * 16 + 16 + 16 + 1, model.countParams());
        List<Double> loss = h.history().get("loss");
        assertTrue(loss.get(loss.size() - 1) < loss.get(0) * 0.5, "loss " + loss);
        model.close();
    }
}
