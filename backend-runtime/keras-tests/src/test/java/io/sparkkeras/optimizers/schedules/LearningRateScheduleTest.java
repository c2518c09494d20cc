package io.sparkkeras.optimizers.schedules;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.Scope;
import io.sparkkeras.ops.Ops;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
class LearningRateScheduleTest {
    private static final double TOL = 1e-6;

    /** {@code apply} (Ops, float32) and {@code valueAt} (host) both equal {@code expected}. */
    private static void check(LearningRateSchedule s, long step, double expected) {
        assertEquals(expected, s.valueAt(step), 1e-12, "valueAt(" + step + ")");
        try (Scope scope = Backends.current().core().newScope()) {
            double onDevice = s.apply(Ops.scalar(step)).item();
            assertEquals(expected, onDevice, TOL * (1 + Math.abs(expected)), "apply(" + step + ")");
        }
    }

    @Test
    void exponentialDecay() {
        ExponentialDecay s = new ExponentialDecay(0.1, 10, 0.5);
        check(s, 0, 0.1);
        check(s, 5, 0.1 * Math.pow(0.5, 0.5));
        check(s, 25, 0.1 * Math.pow(0.5, 2.5));
        ExponentialDecay stairs = ExponentialDecay.builder(0.1, 10, 0.5).staircase(true).build();
        check(stairs, 9, 0.1);
        check(stairs, 25, 0.025);
    }

    @Test
    void piecewiseConstantDecay() {
        PiecewiseConstantDecay s = new PiecewiseConstantDecay(new long[] {100, 110}, new double[] {1.0, 0.5, 0.1});
        check(s, 0, 1.0);
        check(s, 100, 1.0);
        check(s, 101, 0.5);
        check(s, 110, 0.5);
        check(s, 111, 0.1);
        check(s, 100000, 0.1);
    }

    @Test
    void cosineDecay() {
        CosineDecay s = CosineDecay.builder(0.1, 100).alpha(0.1).build();
        check(s, 0, 0.1);
        check(s, 50, 0.1 * (0.9 * 0.5 + 0.1));
        check(s, 25, 0.1 * (0.9 * 0.5 * (1 + Math.cos(Math.PI / 4)) + 0.1));
        check(s, 100, 0.01);
        check(s, 1000, 0.01);
        CosineDecay plain = new CosineDecay(1.0, 7);
        for (long step = 0; step <= 8; step++) {
            double f = Math.min(step, 7) / 7.0;
            check(plain, step, 0.5 * (1 + Math.cos(Math.PI * f)));
        }
    }

    @Test
    void cosineDecayWithWarmup() {
        CosineDecay s = CosineDecay.builder(0.0, 10).warmupTarget(1.0).warmupSteps(5).build();
        check(s, 0, 0.0);
        check(s, 2, 0.4);
        check(s, 5, 1.0);
        check(s, 10, 0.5);
        check(s, 15, 0.0);
        check(s, 99, 0.0);
    }

    @Test
    void configRoundTrips() {
        LearningRateSchedule[] all = {
                ExponentialDecay.builder(0.1, 10, 0.5).staircase(true).name("e").build(),
                new PiecewiseConstantDecay(new long[] {3, 7}, new double[] {1.0, 0.5, 0.1}),
                CosineDecay.builder(0.1, 100).alpha(0.2).warmupTarget(0.5).warmupSteps(3).build()};
        for (LearningRateSchedule s : all) {
            assertEquals(s, LearningRateSchedule.deserialize(s.serialize()));
        }
        assertEquals(new ExponentialDecay(0.1, 10, 0.5),
                ExponentialDecay.fromConfig(new ExponentialDecay(0.1, 10, 0.5).getConfig()));
        assertEquals(false, new ExponentialDecay(0.1, 10, 0.5).getConfig().get("staircase"));
        assertEquals("ExponentialDecay", new ExponentialDecay(0.1, 10, 0.5).getConfig().get("name"));
        assertEquals("PiecewiseConstant",
                new PiecewiseConstantDecay(new long[] {1}, new double[] {1, 2}).getConfig().get("name"));
        assertEquals(0.0, new CosineDecay(0.1, 10).getConfig().get("alpha"));
        assertEquals(null, new CosineDecay(0.1, 10).getConfig().get("warmup_target"));
    }

    @Test
    void decayStepsMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ExponentialDecay(0.1, 0, 0.5));
        assertTrue(e.getMessage().contains("decay_steps=0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CosineDecay(0.1, -3));
        assertTrue(e.getMessage().contains("decay_steps=-3"), e.getMessage());
    }

    @Test
    void negativeWarmupSteps() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CosineDecay.builder(0.1, 10).warmupSteps(-1).build());
        assertTrue(e.getMessage().contains("warmup_steps=-1"), e.getMessage());
    }

    @Test
    void piecewiseLengthsMustMatch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PiecewiseConstantDecay(new long[] {1, 2}, new double[] {1.0, 0.5}));
        assertTrue(e.getMessage().contains("boundaries=[1, 2]") && e.getMessage().contains("values=[1.0, 0.5]"),
                e.getMessage());
    }

    @Test
    void unknownClassName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LearningRateSchedule.deserialize(java.util.Map.of("class_name", "Nope", "config",
                        java.util.Map.of())));
        assertTrue(e.getMessage().contains("class_name=Nope"), e.getMessage());
    }
}
