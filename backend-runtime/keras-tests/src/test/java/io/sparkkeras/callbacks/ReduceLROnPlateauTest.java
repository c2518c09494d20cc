package io.sparkkeras.callbacks;

import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.optimizers.SGD;
import io.sparkkeras.optimizers.schedules.ExponentialDecay;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.sparkkeras.callbacks.CallbackTesting.logs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
class ReduceLROnPlateauTest {

    @Test
    void reducesAfterPatienceThenCoolsDown() {
        Sequential model = CallbackTesting.model(new SGD(1.0));
        ReduceLROnPlateau r = ReduceLROnPlateau.builder().monitor("loss").factor(0.5).patience(2).cooldown(1)
                .minLr(0.2).build();
        r.setModel(model);
        r.onTrainBegin(Map.of());
        double[] losses = {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0};
        double[] expectedLr = {1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2, 0.2};
        for (int epoch = 0; epoch < losses.length; epoch++) {
            Map<String, Double> l = logs("loss", losses[epoch]);
            r.onEpochEnd(epoch, l);
            assertEquals(expectedLr[epoch], model.optimizer().currentLearningRate(), 1e-7, "epoch " + epoch);
        }
        // At min_lr: no further reduction.
        r.onEpochEnd(9, logs("loss", 1.0));
        r.onEpochEnd(10, logs("loss", 1.0));
        assertEquals(0.2, model.optimizer().currentLearningRate(), 1e-7);
        model.close();
    }

    @Test
    void improvementResetsWaitAndLogsTheRate() {
        Sequential model = CallbackTesting.model(new SGD(0.1));
        ReduceLROnPlateau r = ReduceLROnPlateau.builder().monitor("val_loss").patience(2).build();
        r.setModel(model);
        r.onTrainBegin(Map.of());
        r.onEpochEnd(0, logs("val_loss", 1.0));
        Map<String, Double> l = logs("val_loss", 1.0);
        r.onEpochEnd(1, l);
        assertEquals(1, r.waitCount());
        assertEquals(0.1, l.get("learning_rate"), 1e-7);
        r.onEpochEnd(2, logs("val_loss", 0.5));
        assertEquals(0, r.waitCount());
        assertEquals(0.1, model.optimizer().currentLearningRate(), 1e-7);
        model.close();
    }

    /** Keras's test_reduces_lr_with_model_fit. */
    @Test
    void realFit() {
        Sequential model = CallbackTesting.model(new Adam(0.1));
        var x = CallbackTesting.x();
        ReduceLROnPlateau r = ReduceLROnPlateau.builder().patience(1).factor(0.1).monitor("val_loss").minDelta(100)
                .build();
        History h = model.fit(x, CallbackTesting.y(x), CallbackTesting.options(2, r).validationSplit(0.25));
        assertEquals(0.01, model.optimizer().currentLearningRate(), 1e-8);
        assertEquals(2, h.epoch().size());
        model.close();
    }

    @Test
    void scheduleCannotBeReduced() {
        Sequential model = CallbackTesting.model(new Adam(new ExponentialDecay(0.1, 10, 0.9)));
        ReduceLROnPlateau r = ReduceLROnPlateau.builder().patience(0).monitor("loss").build();
        r.setModel(model);
        r.onTrainBegin(Map.of());
        r.onEpochEnd(0, logs("loss", 1.0));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> r.onEpochEnd(1, logs("loss", 1.0)));
        assertTrue(e.getMessage().contains("LearningRateSchedule"), e.getMessage());
        model.close();
    }

    @Test
    void missingMonitorWarns() {
        Sequential model = CallbackTesting.model();
        ReduceLROnPlateau r = new ReduceLROnPlateau();
        r.setModel(model);
        r.onTrainBegin(Map.of());
        r.onEpochEnd(0, logs("loss", 1.0));
        String warning = r.lastWarning;
        assertTrue(warning.contains("`val_loss`") && warning.contains("loss,learning_rate"), warning);
        model.close();
    }

    @Test
    void factorMustBeBelowOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReduceLROnPlateau.builder().factor(1.5).build());
        assertTrue(e.getMessage().contains("factor=1.5"), e.getMessage());
    }

    @Test
    void defaultsAreKeras() {
        ReduceLROnPlateau r = new ReduceLROnPlateau();
        assertEquals(0.1, r.factor());
        assertEquals(1e-4, r.minDelta());
    }
}
