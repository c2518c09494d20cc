package io.sparkkeras.optimizers;

import io.sparkkeras.optimizers.OptimizerTesting.Clip;
import io.sparkkeras.optimizers.OptimizerTesting.Rule;
import io.sparkkeras.optimizers.schedules.PiecewiseConstantDecay;
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
class SGDTest {
    private static final double TOL = 2e-6;

    /** Keras's SGD update, in double. */
    static Rule sgd(double momentum, boolean nesterov) {
        double[][] m = OptimizerTesting.slots(0);
        return (i, w, g, lr, step) -> {
            for (int j = 0; j < w.length; j++) {
                if (momentum == 0) {
                    w[j] -= lr * g[j];
                    continue;
                }
                m[i][j] = momentum * m[i][j] - lr * g[j];
                w[j] += nesterov ? momentum * m[i][j] - lr * g[j] : m[i][j];
            }
        };
    }

    @Test
    void plainMomentumNesterov() {
        assertClose(reference(sgd(0, false), 3, 0.1), run(new SGD(0.1), 3), TOL);
        assertClose(reference(sgd(0.9, false), 3, 0.1), run(SGD.builder().learningRate(0.1).momentum(0.9).build(), 3),
                TOL);
        assertClose(reference(sgd(0.9, true), 3, 0.1),
                run(SGD.builder().learningRate(0.1).momentum(0.9).nesterov(true).build(), 3), TOL);
    }

    @Test
    void clippingWeightDecayAndSchedule() {
        assertClose(reference(sgd(0, false), 3, s -> 0.1, Clip.NORM, 1.0, null),
                run(SGD.builder().learningRate(0.1).clipnorm(1.0).build(), 3), TOL);
        assertClose(reference(sgd(0, false), 3, s -> 0.1, Clip.VALUE, 0.5, null),
                run(SGD.builder().learningRate(0.1).clipvalue(0.5).build(), 3), TOL);
        assertClose(reference(sgd(0, false), 3, s -> 0.1, Clip.GLOBAL_NORM, 2.0, null),
                run(SGD.builder().learningRate(0.1).globalClipnorm(2.0).build(), 3), TOL);
        assertClose(reference(sgd(0.5, false), 3, s -> 0.1, Clip.NONE, 0, 0.2),
                run(SGD.builder().learningRate(0.1).momentum(0.5).weightDecay(0.2).build(), 3), TOL);
        PiecewiseConstantDecay pcd = new PiecewiseConstantDecay(new long[] {0, 1}, new double[] {0.3, 0.2, 0.1});
        assertClose(reference(sgd(0, false), 3, pcd::valueAt, Clip.NONE, 0, null),
                run(SGD.builder().learningRate(pcd).build(), 3), TOL);
    }

    @Test
    void defaultsAndRoundTrip() {
        Map<String, Object> c = new SGD().getConfig();
        assertEquals("SGD", c.get("name"));
        assertEquals(0.01, c.get("learning_rate"));
        assertEquals(0.0, c.get("momentum"));
        assertEquals(false, c.get("nesterov"));
        SGD o = SGD.builder().learningRate(0.2).momentum(0.5).nesterov(true).clipnorm(3.0).build();
        assertEquals(o.getConfig(), SGD.fromConfig(o.getConfig()).getConfig());
    }

    @Test
    void momentumOutOfRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SGD.builder().momentum(1.5).build());
        assertTrue(e.getMessage().contains("momentum=1.5"), e.getMessage());
    }

    @Test
    void unknownOptimizerIdListsKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizers.get("adamx"));
        assertTrue(e.getMessage().contains("optimizer=adamx") && e.getMessage().contains("adamw")
                && e.getMessage().contains("rmsprop") && e.getMessage().contains("adagrad"), e.getMessage());
    }
}
