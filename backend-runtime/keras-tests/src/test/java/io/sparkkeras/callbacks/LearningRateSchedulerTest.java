package io.sparkkeras.callbacks;

import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.SGD;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.sparkkeras.callbacks.CallbackTesting.logs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
class LearningRateSchedulerTest {

    @Test
    void setsTheRateEachEpoch() {
        Sequential model = CallbackTesting.model(new SGD(0.1));
        LearningRateScheduler s = new LearningRateScheduler((epoch, lr) -> epoch < 2 ? lr : lr * 0.5);
        s.setModel(model);
        double[] expected = {0.1, 0.1, 0.05, 0.025};
        for (int epoch = 0; epoch < expected.length; epoch++) {
            s.onEpochBegin(epoch, Map.of());
            assertEquals(expected[epoch], model.optimizer().currentLearningRate(), 1e-8);
            Map<String, Double> l = logs("loss", 1.0);
            s.onEpochEnd(epoch, l);
            assertEquals(expected[epoch], l.get("learning_rate"), 1e-8);
        }
        model.close();
    }

    @Test
    void realFit() {
        Sequential model = CallbackTesting.model(new SGD(0.1));
        var x = CallbackTesting.x();
        List<Double> seen = new ArrayList<>();
        LearningRateScheduler s = new LearningRateScheduler((epoch, lr) -> 0.01 * (epoch + 1));
        LambdaCallback spy = LambdaCallback.builder()
                .onEpochEnd((epoch, l) -> seen.add(l.get("learning_rate"))).build();
        model.fit(x, CallbackTesting.y(x), CallbackTesting.options(3, s, spy));
        assertEquals(3, seen.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(0.01 * (i + 1), seen.get(i), 1e-8);
        }
        model.close();
    }

    @Test
    void scheduleMustNotBeNull() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LearningRateScheduler(null));
        assertTrue(e.getMessage().contains("schedule=null"), e.getMessage());
    }

    @Test
    void scheduleMustReturnANumber() {
        Sequential model = CallbackTesting.model();
        LearningRateScheduler s = new LearningRateScheduler((epoch, lr) -> Double.NaN);
        s.setModel(model);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.onEpochBegin(0, Map.of()));
        assertTrue(e.getMessage().contains("schedule") && e.getMessage().contains("NaN"), e.getMessage());
        model.close();
    }
}
