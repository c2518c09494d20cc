package io.sparkkeras.models;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.callbacks.History;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.optimizers.SGD;
import io.sparkkeras.trainers.ArrayDataset;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
@Timeout(120)
class FitOptionsTest {
    private static final int N = 200;

    private static NdArray x() {
        float[] v = new float[N * 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.37);
        }
        return NdArray.of(v, N, 4);
    }

    private static NdArray y() {
        int[] v = new int[N];
        float[] xs = x().toFloatArray();
        for (int i = 0; i < N; i++) {
            v[i] = xs[i * 4] + xs[i * 4 + 1] > 0 ? 1 : 0;
        }
        return NdArray.of(v);
    }

    private static Sequential model(long seed) {
        RandomSeeds.setRandomSeed(seed);
        Sequential m = new Sequential(new Input(4), new Dense(8, "relu"), new Dense(2));
        m.compile(SGD.builder().learningRate(0.1).build(), "sparse_categorical_crossentropy", List.of("accuracy"));
        return m;
    }

    @Test
    void fitWithoutOptionsTakesKerasDefaults() {
        Sequential a = model(3);
        History defaults = a.fit(x(), y());
        Sequential b = model(3);
        History spelled = b.fit(x(), y(), new FitOptions().epochs(1).batchSize(32).shuffle(true).verbose(0));
        assertEquals(spelled.history(), defaults.history());
        a.close();
        b.close();
    }

    @Test
    void validationSplitAddsValLogs() {
        Sequential m = model(1);
        History h = m.fit(x(), y(), new FitOptions().epochs(2).batchSize(32).validationSplit(0.25).verbose(0));
        assertEquals(List.of("loss", "accuracy", "val_loss", "val_accuracy"), List.copyOf(h.history().keySet()));
        assertEquals(2, h.history().get("val_loss").size());
        m.close();
    }

    @Test
    void validationFreqValidatesEveryNthEpochOnly() {
        Sequential m = model(1);
        History h = m.fit(x(), y(), new FitOptions().epochs(5).batchSize(32).validationData(x(), y())
                .validationFreq(2).verbose(0));
        assertEquals(5, h.history().get("loss").size());
        assertEquals(2, h.history().get("val_loss").size());
        assertEquals(List.of(1, 3), h.epochsOf("val_loss"), "epochs 2 and 4, counted from 1, as Keras");
        assertEquals(List.of(0, 1, 2, 3, 4), h.epochsOf("loss"));
        m.close();
    }

    @Test
    void validationStepsAndBatchSizeBoundWhatIsValidated() {
        Sequential m = model(1);
        NdArray xv = x();
        NdArray yv = y();
        History h = m.fit(x(), y(), new FitOptions().epochs(1).batchSize(32).validationData(xv, yv)
                .validationBatchSize(8).validationSteps(2).verbose(0));
        // Two validation batches of 8: the first 16 samples (validation data are not shuffled).
        Map<String, Double> first16 = m.evaluate(xv.rows(0, 16), yv.rows(0, 16), 16, 0);
        assertEquals(first16.get("loss"), h.last("val_loss"), 1e-5);
        assertNotEquals(m.evaluate(xv, yv, 32, 0).get("loss"), h.last("val_loss"), 1e-5);
        m.close();
    }

    @Test
    void badValidationOptionsNameTheArgument() {
        IllegalArgumentException freq = assertThrows(IllegalArgumentException.class,
                () -> new FitOptions().validationFreq(0));
        assertTrue(freq.getMessage().contains("validation_freq=0"), freq.getMessage());
        IllegalArgumentException steps = assertThrows(IllegalArgumentException.class,
                () -> new FitOptions().validationSteps(-2));
        assertTrue(steps.getMessage().contains("validation_steps=-2"), steps.getMessage());
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                () -> new FitOptions().validationBatchSize(0));
        assertTrue(batch.getMessage().contains("validation_batch_size=0"), batch.getMessage());
    }

    @Test
    void validationDataIsEvaluatedEachEpoch() {
        Sequential m = model(1);
        History h = m.fit(x(), y(), new FitOptions().epochs(3).batchSize(32).validationData(x(), y()).verbose(0));
        Map<String, Double> eval = m.evaluate(x(), y());
        assertEquals(eval.get("loss"), h.last("val_loss"), 1e-5);
        m.close();
    }

    @Test
    void sameSeedSameRunDifferentSeedDifferentRun() {
        Sequential a = model(7);
        Sequential b = model(7);
        Sequential c = model(8);
        FitOptions o = new FitOptions().epochs(2).batchSize(16).verbose(0).seed(3);
        List<Double> la = a.fit(x(), y(), o).history().get("loss");
        List<Double> lb = b.fit(x(), y(), o).history().get("loss");
        List<Double> lc = c.fit(x(), y(), o).history().get("loss");
        assertEquals(la, lb);
        assertNotEquals(la, lc);
    }

    @Test
    void zeroClassWeightRemovesThatClassFromTheLoss() {
        Sequential m = model(2);
        Map<String, Double> before = m.evaluate(x(), y());
        History h = m.fit(x(), y(), new FitOptions().epochs(1).batchSize(N).shuffle(false).verbose(0)
                .classWeight(Map.of(0, 0.0, 1, 1.0)));
        // With one batch of everything, the logged loss is the class-1 samples' losses over all N.
        int ones = 0;
        for (int v : y().toIntArray()) {
            ones += v;
        }
        assertTrue(ones > 0 && ones < N);
        assertTrue(h.last("loss") < before.get("loss"), h.last("loss") + " vs " + before);
        m.close();
    }

    @Test
    void sampleWeightsScaleTheLoss() {
        Sequential m = model(4);
        float[] w = new float[N];
        java.util.Arrays.fill(w, 2f);
        double plain = m.evaluate(x(), y()).get("loss");
        History h = m.fit(x(), y(), new FitOptions().epochs(1).batchSize(N).shuffle(false).verbose(0)
                .sampleWeight(NdArray.of(w)));
        // One step over one batch: the logged loss is computed before the update, so twice the plain loss.
        assertEquals(2 * plain, h.last("loss"), 1e-4);
        m.close();
    }

    @Test
    void evaluateWeighsEachSampleAsKeras() {
        Sequential m = model(4);
        float[] w = new float[N];
        java.util.Arrays.fill(w, 0, N / 2, 1f);   // the first half counts, the second not at all
        Map<String, Double> weighted = m.evaluate(x(), y(), NdArray.of(w), N, 0);
        Map<String, Double> firstHalf = m.evaluate(x().rows(0, N / 2), y().rows(0, N / 2), N, 0);
        // Metrics are weighted means; the loss, as Keras's sum_over_batch_size, divides by all N samples.
        assertEquals(firstHalf.get("accuracy"), weighted.get("accuracy"), 1e-6);
        assertEquals(0.5 * firstHalf.get("loss"), weighted.get("loss"), 1e-5);
        m.close();
    }

    @Test
    void aNonFiniteSampleWeightIsNamed() {
        Sequential m = model(4);
        float[] w = new float[N];
        java.util.Arrays.fill(w, 1f);
        w[17] = Float.NaN;
        IllegalArgumentException fit = assertThrows(IllegalArgumentException.class,
                () -> m.fit(x(), y(), new FitOptions().verbose(0).sampleWeight(NdArray.of(w))));
        assertTrue(fit.getMessage().contains("sample_weight contains NaN at sample 17"), fit.getMessage());
        IllegalArgumentException eval = assertThrows(IllegalArgumentException.class,
                () -> m.evaluate(x(), y(), NdArray.of(w), 32, 0));
        assertTrue(eval.getMessage().startsWith("evaluate: sample_weight contains NaN"), eval.getMessage());
        m.close();
    }

    @Test
    void trainOnBatchAndPredictOnBatch() {
        Sequential m = model(5);
        Map<String, Double> logs = m.trainOnBatch(x().rows(0, 32), y().rows(0, 32));
        assertTrue(logs.containsKey("loss") && logs.containsKey("accuracy"), logs.toString());
        NdArray p = m.predictOnBatch(x().rows(0, 7));
        assertEquals(Shape.of(7, 2), p.shape());
        m.close();
    }

    @Test
    void testOnBatchEvaluatesOneBatchAndLeavesTheWeights() {
        Sequential m = model(5);
        List<NdArray> before = m.getWeights();
        Map<String, Double> logs = m.testOnBatch(x().rows(0, 32), y().rows(0, 32));
        assertEquals(m.evaluate(x().rows(0, 32), y().rows(0, 32), 32, 0), logs);
        List<NdArray> after = m.getWeights();
        for (int i = 0; i < before.size(); i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(before.get(i).toFloatArray(),
                    after.get(i).toFloatArray());
        }
        m.close();
    }

    @Test
    void getLayerByNameOrIndexAsKeras() {
        Sequential m = model(5);
        assertEquals(m.layers().get(0), m.getLayer(0));
        assertEquals(m.layers().get(1), m.getLayer(m.layers().get(1).name()));
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class, () -> m.getLayer("nope"));
        assertTrue(name.getMessage().contains("No such layer: nope. Existing layers are: [" + m.layers().get(0).name()
                + ", "), name.getMessage());
        IllegalArgumentException index = assertThrows(IllegalArgumentException.class, () -> m.getLayer(2));
        assertTrue(index.getMessage().contains("index 2 but model only has 2 layers"), index.getMessage());
        m.close();
    }

    @Test
    void fitAndEvaluateAcceptABatchDataset() {
        Sequential m = model(6);
        ArrayDataset data = new ArrayDataset(List.of(x()), List.of(y()), null, 50, true, 1L);
        History h = m.fit(data, new FitOptions().epochs(2).verbose(0));
        assertEquals(2, h.history().get("loss").size());
        Map<String, Double> e = m.evaluate(new ArrayDataset(List.of(x()), List.of(y()), null, 64, false, 0L), 0);
        assertTrue(e.get("accuracy") >= 0 && e.get("accuracy") <= 1);
        List<NdArray> preds = m.predict(new ArrayDataset(List.of(x()), List.of(), null, 64, false, 0L));
        assertEquals(Shape.of(N, 2), preds.get(0).shape());
        m.close();
    }
}
