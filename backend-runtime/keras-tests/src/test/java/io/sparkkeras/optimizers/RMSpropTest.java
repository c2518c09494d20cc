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

@Tag("torch")
class RMSpropTest {
    private static final double TOL = 2e-6;

    /** Keras's RMSprop update, in double. */
    static Rule rmsprop(double rho, double momentum, double eps, boolean centered) {
        double[][] v = OptimizerTesting.slots(0);
        double[][] m = OptimizerTesting.slots(0);
        double[][] a = OptimizerTesting.slots(0);
        return (i, w, g, lr, step) -> {
            for (int j = 0; j < w.length; j++) {
                v[i][j] = rho * v[i][j] + (1 - rho) * g[j] * g[j];
                double denominator;
                if (centered) {
                    a[i][j] = rho * a[i][j] + (1 - rho) * g[j];
                    denominator = v[i][j] - a[i][j] * a[i][j] + eps;
                } else {
                    denominator = v[i][j] + eps;
                }
                double inc = lr * g[j] / Math.sqrt(denominator);
                if (momentum > 0) {
                    m[i][j] = momentum * m[i][j] + inc;
                    w[j] -= m[i][j];
                } else {
                    w[j] -= inc;
                }
            }
        };
    }

    @Test
    void plain() {
        assertClose(reference(rmsprop(0.9, 0, 1e-7, false), 3, 0.01), run(new RMSprop(0.01), 3), TOL);
    }

    @Test
    void momentumAndCentered() {
        RMSprop opt = RMSprop.builder().learningRate(0.01).rho(0.8).momentum(0.5).centered(true).epsilon(1e-4)
                .build();
        assertClose(reference(rmsprop(0.8, 0.5, 1e-4, true), 3, 0.01), run(opt, 3), TOL);
    }

    @Test
    void clippingAndWeightDecay() {
        Rule r = rmsprop(0.9, 0, 1e-7, false);
        assertClose(reference(r, 3, s -> 0.01, Clip.NORM, 1.0, null),
                run(RMSprop.builder().learningRate(0.01).clipnorm(1.0).build(), 3), TOL);
        assertClose(reference(rmsprop(0.9, 0, 1e-7, false), 3, s -> 0.01, Clip.VALUE, 0.5, null),
                run(RMSprop.builder().learningRate(0.01).clipvalue(0.5).build(), 3), TOL);
        assertClose(reference(rmsprop(0.9, 0, 1e-7, false), 3, s -> 0.01, Clip.GLOBAL_NORM, 2.0, null),
                run(RMSprop.builder().learningRate(0.01).globalClipnorm(2.0).build(), 3), TOL);
        assertClose(reference(rmsprop(0.9, 0, 1e-7, false), 3, s -> 0.01, Clip.NONE, 0, 0.1),
                run(RMSprop.builder().learningRate(0.01).weightDecay(0.1).build(), 3), TOL);
    }

    @Test
    void defaultsAreKeras() {
        Map<String, Object> c = new RMSprop().getConfig();
        assertEquals("rmsprop", c.get("name"));
        assertEquals(0.001, c.get("learning_rate"));
        assertEquals(0.9, c.get("rho"));
        assertEquals(0.0, c.get("momentum"));
        assertEquals(1e-7, c.get("epsilon"));
        assertEquals(false, c.get("centered"));
        assertEquals(RMSprop.class, Optimizers.get("rmsprop").getClass());
    }

    @Test
    void configRoundTrip() {
        RMSprop o = RMSprop.builder().learningRate(0.02).rho(0.7).momentum(0.3).centered(true).clipvalue(1.0).build();
        assertEquals(o.getConfig(), RMSprop.fromConfig(o.getConfig()).getConfig());
    }
}
