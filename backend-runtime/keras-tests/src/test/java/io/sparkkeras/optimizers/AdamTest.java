package io.sparkkeras.optimizers;

import io.sparkkeras.optimizers.OptimizerTesting.Clip;
import io.sparkkeras.optimizers.OptimizerTesting.Rule;
import io.sparkkeras.optimizers.schedules.ExponentialDecay;
import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Scope;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.models.FitOptions;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.sparkkeras.optimizers.OptimizerTesting.assertClose;
import static io.sparkkeras.optimizers.OptimizerTesting.reference;
import static io.sparkkeras.optimizers.OptimizerTesting.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
class AdamTest {
    private static final double TOL = 2e-6;

    /** Keras's Adam update, in double. */
    static Rule adam(double b1, double b2, double eps, boolean amsgrad) {
        double[][] m = OptimizerTesting.slots(0);
        double[][] v = OptimizerTesting.slots(0);
        double[][] vh = OptimizerTesting.slots(0);
        return (i, w, g, lr, step) -> {
            long t = step + 1;
            double alpha = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
            for (int j = 0; j < w.length; j++) {
                m[i][j] += (g[j] - m[i][j]) * (1 - b1);
                v[i][j] += (g[j] * g[j] - v[i][j]) * (1 - b2);
                double vv = v[i][j];
                if (amsgrad) {
                    vh[i][j] = Math.max(vh[i][j], vv);
                    vv = vh[i][j];
                }
                w[j] -= m[i][j] * alpha / (Math.sqrt(vv) + eps);
            }
        };
    }

    @Test
    void adamUpdatesInPlaceOnTorch() {
        // Composed from Ops, one Adam step leaves over a dozen temporaries per variable in the step's scope; torch's
        // kernel updates the weight and both slots in place. Guards the fast path against a refactor.
        Variable w = new Variable("dense/kernel", NdArray.of(new float[] {1, 2, 3}), true);
        try (Adam fused = new Adam(0.1); Adam amsgrad = Adam.builder().learningRate(0.1).amsgrad(true).build()) {
            int fusedCount = temporariesOfSecondStep(fused, w);
            int composedCount = temporariesOfSecondStep(amsgrad, w);
            assertTrue(fusedCount * 3 <= composedCount, "temporaries per Adam step: fused " + fusedCount
                    + ", composed (amsgrad) " + composedCount);
        } finally {
            w.close();
        }
    }

    private static int temporariesOfSecondStep(Optimizer opt, Variable w) {
        try (Scope s = Backends.current().core().newScope()) {
            Tensor g = Ops.convertToTensor(NdArray.of(new float[] {0.1f, -0.2f, 0.3f}));
            opt.apply(List.of(g), List.of(w));
            int before = s.liveTensors();
            opt.apply(List.of(g), List.of(w));
            return s.liveTensors() - before;
        }
    }

    @Test
    void theStepCountIsInt64AndKeepsCountingPast2To24() {
        // As Keras's `iterations`: a float32 counter stops at 2^24 (2^24 + 1 rounds back), freezing schedules.
        Sequential m = new Sequential(new Input(2), new Dense(1));
        m.compile(new Adam(1e-3), "mse", List.of());
        NdArray x = NdArray.of(new float[] {1, 2, 3, 4}, 2, 2);
        NdArray y = NdArray.of(new float[] {1, 0});
        FitOptions oneStep = new FitOptions().batchSize(2).verbose(0);
        m.fit(x, y, oneStep);
        assertEquals(DType.INT64, m.optimizer().variables().get(0).dtype());
        m.optimizer().restoreCounters(1L << 24, null);
        m.fit(x, y, oneStep);
        m.fit(x, y, oneStep);
        assertEquals((1L << 24) + 2, m.optimizer().iterations());
        assertEquals((1L << 24) + 2, m.optimizer().variables().get(0).numpy().getDouble(0));
        m.close();
    }

    @Test
    void twoStepsMatchHandWrittenLoop() {
        double[][] expected = reference(adam(0.9, 0.999, 1e-7, false), 2, 0.1);
        assertClose(expected, run(new Adam(0.1), 2), TOL);
    }

    @Test
    void amsgradAndCustomBetas() {
        Adam opt = Adam.builder().learningRate(0.05).beta1(0.8).beta2(0.9).epsilon(1e-3).amsgrad(true).build();
        assertClose(reference(adam(0.8, 0.9, 1e-3, true), 3, 0.05), run(opt, 3), TOL);
    }

    @Test
    void clipnorm() {
        double[][] expected = reference(adam(0.9, 0.999, 1e-7, false), 3, s -> 0.1, Clip.NORM, 1.0, null);
        assertClose(expected, run(Adam.builder().learningRate(0.1).clipnorm(1.0).build(), 3), TOL);
    }

    @Test
    void clipvalue() {
        double[][] expected = reference(adam(0.9, 0.999, 1e-7, false), 3, s -> 0.1, Clip.VALUE, 0.5, null);
        assertClose(expected, run(Adam.builder().learningRate(0.1).clipvalue(0.5).build(), 3), TOL);
    }

    @Test
    void globalClipnorm() {
        double[][] expected = reference(adam(0.9, 0.999, 1e-7, false), 3, s -> 0.1, Clip.GLOBAL_NORM, 2.0, null);
        assertClose(expected, run(Adam.builder().learningRate(0.1).globalClipnorm(2.0).build(), 3), TOL);
    }

    @Test
    void weightDecay() {
        double[][] expected = reference(adam(0.9, 0.999, 1e-7, false), 3, s -> 0.1, Clip.NONE, 0, 0.05);
        assertClose(expected, run(Adam.builder().learningRate(0.1).weightDecay(0.05).build(), 3), TOL);
    }

    @Test
    void scheduleGivesTheRatePerStep() {
        ExponentialDecay decay = new ExponentialDecay(0.1, 2, 0.5);
        double[][] expected = reference(adam(0.9, 0.999, 1e-7, false), 3, decay::valueAt, Clip.NONE, 0, null);
        assertClose(expected, run(new Adam(decay), 3), TOL);
    }

    @Test
    void adamWDecaysWeightsBeforeTheAdamStep() {
        double[][] expected = reference(adam(0.9, 0.999, 1e-7, false), 3, s -> 0.1, Clip.NONE, 0, 0.004);
        assertClose(expected, run(new AdamW(0.1), 3), TOL);
        double[][] strong = reference(adam(0.9, 0.999, 1e-7, false), 2, s -> 0.1, Clip.NORM, 1.0, 0.1);
        assertClose(strong, run(AdamW.builder().learningRate(0.1).weightDecay(0.1).clipnorm(1.0).build(), 2), TOL);
    }

    @Test
    void defaultsAreKeras() {
        Map<String, Object> c = new Adam().getConfig();
        assertEquals("adam", c.get("name"));
        assertEquals(0.001, c.get("learning_rate"));
        assertEquals(0.9, c.get("beta_1"));
        assertEquals(0.999, c.get("beta_2"));
        assertEquals(1e-7, c.get("epsilon"));
        assertEquals(false, c.get("amsgrad"));
        assertEquals(null, c.get("weight_decay"));
        Map<String, Object> w = new AdamW().getConfig();
        assertEquals("adamw", w.get("name"));
        assertEquals(0.004, w.get("weight_decay"));
        assertEquals("AdamW", new AdamW().className());
    }

    @Test
    void configRoundTrip() {
        Adam a = Adam.builder().learningRate(0.02).beta1(0.8).amsgrad(true).clipnorm(2.0).name("my_adam").build();
        assertEquals(a.getConfig(), Adam.fromConfig(a.getConfig()).getConfig());
        AdamW w = AdamW.builder().weightDecay(0.1).globalClipnorm(1.0).build();
        assertEquals(w.getConfig(), AdamW.fromConfig(w.getConfig()).getConfig());
        Adam s = new Adam(ExponentialDecay.builder(0.1, 100, 0.9).staircase(true).build());
        Adam back = Adam.fromConfig(s.getConfig());
        assertEquals(s.getConfig(), back.getConfig());
        assertInstanceOf(ExponentialDecay.class, back.schedule());
    }

    @Test
    void adamWNeedsWeightDecay() {
        Map<String, Object> c = new java.util.LinkedHashMap<>(new AdamW().getConfig());
        c.put("weight_decay", null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdamW.fromConfig(c));
        assertTrue(e.getMessage().contains("weight_decay") && e.getMessage().contains("None"), e.getMessage());
    }

    @Test
    void learningRateMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Adam(-1.0));
        assertTrue(e.getMessage().contains("learning_rate=-1.0"), e.getMessage());
    }

    @Test
    void onlyOneClippingArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Adam.builder().clipnorm(1.0).clipvalue(0.5).build());
        assertTrue(e.getMessage().contains("clipnorm=1.0") && e.getMessage().contains("clipvalue=0.5"),
                e.getMessage());
    }
}
