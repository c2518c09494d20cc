package io.sparkkeras.saving;

import io.sparkkeras.backend.Variable;
import io.sparkkeras.layers.Add;
import io.sparkkeras.layers.BatchNormalization;
import io.sparkkeras.layers.Concatenate;
import io.sparkkeras.layers.Conv2D;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Flatten;
import io.sparkkeras.layers.Input;
import io.sparkkeras.layers.KerasTensor;
import io.sparkkeras.layers.MaxPooling2D;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.FitOptions;
import io.sparkkeras.models.Model;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adagrad;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.optimizers.AdamW;
import io.sparkkeras.optimizers.Optimizer;
import io.sparkkeras.optimizers.RMSprop;
import io.sparkkeras.optimizers.SGD;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5: a model built, trained and saved here reloads with bit-identical predictions and optimizer state, and
 * training resumes exactly where it stopped.
 */
@Tag("torch")
@Timeout(120)
class ModelRoundTripTest {
    private static final int N = 64;

    private static NdArray x(int features) {
        float[] v = new float[N * features];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.37 + 0.1);
        }
        return NdArray.of(v, N, features);
    }

    private static NdArray y() {
        int[] v = new int[N];
        for (int i = 0; i < N; i++) {
            v[i] = i % 3;
        }
        return NdArray.of(v);
    }

    /** Branches, a shared layer called twice, a nested Sequential, merges and BatchNormalization statistics. */
    private static Model branchy() {
        KerasTensor in = Input.of(8);
        Sequential block = new Sequential(new Input(8), new Dense(16, "relu"), new Dense(8));
        Dense shared = new Dense(8, "tanh");
        KerasTensor a = shared.apply(in);
        KerasTensor b = block.apply(in);
        KerasTensor c = shared.apply(new Dense(8).apply(b));
        KerasTensor s = new Add().apply(a, c);
        KerasTensor h = new BatchNormalization().apply(new Concatenate().apply(s, b));
        return new Model(List.of(in), List.of(new Dense(3).apply(h)), "branchy");
    }

    private static FitOptions oneEpoch() {
        return new FitOptions().epochs(1).batchSize(16).shuffle(false).verbose(0);
    }

    @Test
    void functionalModelResumesTrainingBitIdentically(@TempDir Path dir) {
        RandomSeeds.setRandomSeed(5);
        Path file = dir.resolve("branchy.keras");
        NdArray x = x(8);
        try (Model m = branchy()) {
            m.compile(Adam.builder().learningRate(1e-2).amsgrad(true).build(),
                    SparseCategoricalCrossentropy.builder().fromLogits(true).build(), List.of("accuracy"));
            m.fit(x, y(), oneEpoch().epochs(2));
            m.save(file);
            try (Model r = Models.load(file)) {
                assertEquals("Functional", r.className());
                assertEquals(layerNames(m), layerNames(r));
                assertArrayEquals(m.predict(x).toFloatArray(), r.predict(x).toFloatArray());
                assertSameState(m, r);
                assertEquals(8, m.optimizer().iterations());
                m.fit(x, y(), oneEpoch());
                r.fit(x, y(), oneEpoch());
                assertSameState(m, r);
                assertArrayEquals(m.predict(x).toFloatArray(), r.predict(x).toFloatArray());
            }
        }
    }

    @Test
    void everyOptimizerRoundTripsItsState(@TempDir Path dir) {
        List<Supplier<Optimizer>> optimizers = List.of(
                () -> new Adam(1e-2),
                () -> AdamW.builder().learningRate(1e-2).build(),
                () -> SGD.builder().learningRate(0.1).momentum(0.9).nesterov(true).build(),
                () -> RMSprop.builder().learningRate(1e-2).momentum(0.5).centered(true).build(),
                () -> Adagrad.builder().learningRate(0.1).build());
        NdArray x = x(4);
        for (Supplier<Optimizer> o : optimizers) {
            RandomSeeds.setRandomSeed(7);
            Path file = dir.resolve("opt.keras");
            try (Sequential m = new Sequential(new Input(4), new Dense(6, "relu"), new Dense(3))) {
                m.compile(o.get(), "sparse_categorical_crossentropy", List.of("accuracy"));
                m.fit(x, y(), oneEpoch());
                m.save(file);
                try (Model r = Models.load(file)) {
                    assertEquals(m.optimizer().getClass(), r.optimizer().getClass());
                    assertEquals(m.optimizer().getConfig(), r.optimizer().getConfig());
                    assertSameState(m, r);
                    m.fit(x, y(), oneEpoch());
                    r.fit(x, y(), oneEpoch());
                    assertSameState(m, r);
                }
            }
        }
    }

    @Test
    void sequentialBuiltByItsFirstBatchRoundTrips(@TempDir Path dir) {
        RandomSeeds.setRandomSeed(9);
        Path file = dir.resolve("lazy.keras");
        NdArray x = x(4);
        try (Sequential m = new Sequential(new Dense(5, "relu"), new Dense(3))) {
            m.compile(new Adam(1e-2), "sparse_categorical_crossentropy", List.of("accuracy"));
            m.fit(x, y(), oneEpoch());
            m.save(file);
            try (Model r = Models.load(file)) {
                Sequential s = assertInstanceOf(Sequential.class, r);
                assertEquals(List.of(4L), s.inputLayer().shape().toList());
                assertArrayEquals(m.predict(x).toFloatArray(), r.predict(x).toFloatArray());
                assertSameState(m, r);
                assertEquals(m.getConfig().get("build_input_shape"), r.getConfig().get("build_input_shape"));
            }
        }
    }

    @Test
    void cnnSavesAndLoadsWeightsFiles(@TempDir Path dir) {
        RandomSeeds.setRandomSeed(3);
        NdArray x = NdArray.of(new float[8 * 6 * 6], 8, 6, 6, 1);
        Path w = dir.resolve("cnn.weights.h5");
        try (Sequential m = new Sequential(new Input(6, 6, 1), new Conv2D(4, 3, "relu"), new MaxPooling2D(2),
                new Flatten(), new Dense(2))) {
            m.saveWeights(w);
            RandomSeeds.setRandomSeed(4);
            try (Sequential other = new Sequential(new Input(6, 6, 1), new Conv2D(4, 3, "relu"), new MaxPooling2D(2),
                    new Flatten(), new Dense(2))) {
                other.loadWeights(w);
                for (int i = 0; i < m.weights().size(); i++) {
                    assertArrayEquals(m.weights().get(i).numpy().toFloatArray(),
                            other.weights().get(i).numpy().toFloatArray());
                }
                assertArrayEquals(m.predict(x).toFloatArray(), other.predict(x).toFloatArray());
            }
        }
    }

    @Test
    void configRoundTripsThroughFromConfig() {
        try (Model m = branchy()) {
            try (Model copy = Model.fromConfig(m.getConfig())) {
                assertEquals(m.getConfig(), copy.getConfig());
            }
            Sequential s = new Sequential(new Input(3), new Dense(2));
            Sequential sc = assertInstanceOf(Sequential.class, Serialization.deserializeLayer(Serialization.serialize(s)));
            assertEquals(s.getConfig(), sc.getConfig());
            assertTrue(Serialization.serialize(s).containsKey("build_config"));
            s.close();
            sc.close();
        }
    }

    private static List<String> layerNames(Model m) {
        return m.layers().stream().map(l -> l.name()).toList();
    }

    /** Every weight and every optimizer variable equal, bit for bit. */
    static void assertSameState(Model a, Model b) {
        List<Variable> wa = a.weights();
        List<Variable> wb = b.weights();
        assertEquals(wa.size(), wb.size());
        for (int i = 0; i < wa.size(); i++) {
            assertArrayEquals(KerasArchives.bytes(wa.get(i).numpy()), KerasArchives.bytes(wb.get(i).numpy()),
                    "weight " + wa.get(i).path());
        }
        List<Variable> oa = a.optimizer().variables();
        List<Variable> ob = b.optimizer().variables();
        assertEquals(oa.size(), ob.size());
        for (int i = 0; i < oa.size(); i++) {
            assertEquals(oa.get(i).path(), ob.get(i).path());
            assertArrayEquals(KerasArchives.bytes(oa.get(i).numpy()), KerasArchives.bytes(ob.get(i).numpy()),
                    "optimizer variable " + oa.get(i).path());
        }
        assertEquals(a.optimizer().iterations(), b.optimizer().iterations());
        assertEquals(a.optimizer().currentLearningRate(), b.optimizer().currentLearningRate());
    }
}
