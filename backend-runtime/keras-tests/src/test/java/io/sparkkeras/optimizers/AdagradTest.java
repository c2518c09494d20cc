package io.sparkkeras.optimizers;

import io.sparkkeras.optimizers.OptimizerTesting.Clip;
import io.sparkkeras.optimizers.OptimizerTesting.Rule;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.sparkkeras.optimizers.OptimizerTesting.assertClose;
import static io.sparkkeras.optimizers.OptimizerTesting.reference;
import static io.sparkkeras.optimizers.OptimizerTesting.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
class AdagradTest {
    private static final double TOL = 2e-6;

    /** Keras's Adagrad update, in double. */
    static Rule adagrad(double initial, double eps) {
        double[][] acc = OptimizerTesting.slots(initial);
        return (i, w, g, lr, step) -> {
            for (int j = 0; j < w.length; j++) {
                acc[i][j] += g[j] * g[j];
                w[j] -= lr * g[j] / Math.sqrt(acc[i][j] + eps);
            }
        };
    }

    @Test
    void plainAndCustom() {
        assertClose(reference(adagrad(0.1, 1e-7), 3, 0.1), run(new Adagrad(0.1), 3), TOL);
        Adagrad custom = Adagrad.builder().learningRate(0.05).initialAccumulatorValue(1.0).epsilon(1e-3).build();
        assertClose(reference(adagrad(1.0, 1e-3), 3, 0.05), run(custom, 3), TOL);
    }

    @Test
    void clippingAndWeightDecay() {
        assertClose(reference(adagrad(0.1, 1e-7), 3, s -> 0.1, Clip.NORM, 1.0, null),
                run(Adagrad.builder().learningRate(0.1).clipnorm(1.0).build(), 3), TOL);
        assertClose(reference(adagrad(0.1, 1e-7), 3, s -> 0.1, Clip.VALUE, 0.5, null),
                run(Adagrad.builder().learningRate(0.1).clipvalue(0.5).build(), 3), TOL);
        assertClose(reference(adagrad(0.1, 1e-7), 3, s -> 0.1, Clip.GLOBAL_NORM, 2.0, null),
                run(Adagrad.builder().learningRate(0.1).globalClipnorm(2.0).build(), 3), TOL);
        assertClose(reference(adagrad(0.1, 1e-7), 3, s -> 0.1, Clip.NONE, 0, 0.1),
                run(Adagrad.builder().learningRate(0.1).weightDecay(0.1).build(), 3), TOL);
    }

    @Test
    void defaultsAreKeras() {
        Map<String, Object> c = new Adagrad().getConfig();
        assertEquals("adagrad", c.get("name"));
        assertEquals(0.001, c.get("learning_rate"));
        assertEquals(0.1, c.get("initial_accumulator_value"));
        assertEquals(1e-7, c.get("epsilon"));
        assertEquals(Adagrad.class, Optimizers.get("adagrad").getClass());
    }

    @Test
    void configRoundTrip() {
        Adagrad o = Adagrad.builder().learningRate(0.02).initialAccumulatorValue(0.5).weightDecay(0.01).build();
        assertEquals(o.getConfig(), Adagrad.fromConfig(o.getConfig()).getConfig());
    }

    @Test
    void negativeInitialAccumulator() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Adagrad.builder().initialAccumulatorValue(-1).build());
        assertTrue(e.getMessage().contains("initial_accumulator_value=-1.0"), e.getMessage());
    }
}
