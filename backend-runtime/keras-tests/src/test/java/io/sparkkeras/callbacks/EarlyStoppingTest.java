package io.sparkkeras.callbacks;

import io.sparkkeras.models.Sequential;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.sparkkeras.callbacks.CallbackTesting.logs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
class EarlyStoppingTest {

    /** Keras's early_stopping_test.test_early_stopping_patience. */
    @Test
    void stopsAfterPatience() {
        double[] losses = {10.0, 9.0, 8.0, 9.0, 8.9, 8.8, 8.7, 8.6, 8.5};
        Sequential model = CallbackTesting.model();
        for (int patience = 0; patience <= 3; patience++) {
            EarlyStopping stopper = EarlyStopping.builder().monitor("loss").patience(patience).build();
            stopper.setModel(model);
            model.setStopTraining(false);
            stopper.onTrainBegin(Map.of());
            for (int epoch = 0; epoch < losses.length; epoch++) {
                stopper.onEpochEnd(epoch, logs("loss", losses[epoch]));
                if (model.stopTraining()) {
                    break;
                }
            }
            assertEquals(Math.max(patience, 1) + 2, stopper.stoppedEpoch(), "patience " + patience);
        }
    }

    @Test
    void minDeltaBaselineAndStartFromEpoch() {
        Sequential model = CallbackTesting.model();
        // Improvements of 0.05 do not count with min_delta 0.1: stop after 2 epochs without counted improvement.
        EarlyStopping s = EarlyStopping.builder().monitor("loss").minDelta(0.1).patience(2).build();
        s.setModel(model);
        s.onTrainBegin(Map.of());
        double[] slow = {1.0, 0.96, 0.92, 0.88};
        int epoch = 0;
        for (; epoch < slow.length && !model.stopTraining(); epoch++) {
            s.onEpochEnd(epoch, logs("loss", slow[epoch]));
        }
        assertEquals(2, s.stoppedEpoch());
        // Warm-up epochs are not monitored.
        model.setStopTraining(false);
        EarlyStopping warm = EarlyStopping.builder().monitor("loss").startFromEpoch(3).build();
        warm.setModel(model);
        warm.onTrainBegin(Map.of());
        for (int e = 0; e < 3; e++) {
            warm.onEpochEnd(e, logs("loss", 5.0 + e));
        }
        assertFalse(model.stopTraining());
        assertNull(warm.best());
        // max mode with a metric.
        EarlyStopping acc = EarlyStopping.builder().monitor("val_accuracy").mode("max").patience(1).build();
        acc.setModel(model);
        acc.onTrainBegin(Map.of());
        acc.onEpochEnd(0, logs("val_accuracy", 0.5));
        acc.onEpochEnd(1, logs("val_accuracy", 0.7));
        acc.onEpochEnd(2, logs("val_accuracy", 0.6));
        assertEquals(0.7, acc.best());
        assertEquals(2, acc.stoppedEpoch());
    }

    /** Keras's test_early_stopping_final_weights_when_restoring_model_weights, weights marked by epoch. */
    @Test
    void restoresBestWeights() {
        Sequential model = CallbackTesting.model();
        EarlyStopping stop = EarlyStopping.builder().monitor("val_loss").patience(2).restoreBestWeights(true).build();
        stop.setModel(model);
        double[] losses = {0.2, 0.15, 0.1, 0.11, 0.12};
        stop.onTrainBegin(Map.of());
        for (int epoch = 0; epoch < losses.length; epoch++) {
            CallbackTesting.markWeights(model, epoch);
            stop.onEpochEnd(epoch, logs("val_loss", losses[epoch]));
            if (model.stopTraining()) {
                break;
            }
        }
        stop.onTrainEnd(Map.of());
        assertEquals(2f, CallbackTesting.firstWeight(model));

        // No epoch beats the baseline: train 5 epochs (patience) and restore the best one, epoch 2.
        model.setStopTraining(false);
        EarlyStopping base = EarlyStopping.builder().monitor("val_loss").patience(5).baseline(0.5)
                .restoreBestWeights(true).build();
        base.setModel(model);
        double[] high = {0.9, 0.8, 0.7, 0.71, 0.72, 0.73};
        base.onTrainBegin(Map.of());
        int trained = 0;
        for (int epoch = 0; epoch < high.length; epoch++) {
            trained++;
            CallbackTesting.markWeights(model, epoch);
            base.onEpochEnd(epoch, logs("val_loss", high[epoch]));
            if (model.stopTraining()) {
                break;
            }
        }
        base.onTrainEnd(Map.of());
        assertEquals(5, trained);
        assertEquals(2f, CallbackTesting.firstWeight(model));
        model.close();
    }

    @Test
    void onTrainBeginResetsState() {
        Sequential model = CallbackTesting.model();
        EarlyStopping s = EarlyStopping.builder().monitor("loss").build();
        s.setModel(model);
        s.onTrainBegin(Map.of());
        s.onEpochEnd(0, logs("loss", 1.0));
        s.onEpochEnd(1, logs("loss", 2.0));
        assertEquals(1.0, s.best());
        assertEquals(1, s.stoppedEpoch());
        s.onTrainBegin(Map.of());
        assertNull(s.best());
        assertEquals(0, s.stoppedEpoch());
        assertEquals(0, s.waitCount());
        assertEquals(0, s.bestEpoch());
    }

    @Test
    void missingMonitorWarnsWithAvailableMetrics() {
        EarlyStopping s = new EarlyStopping();
        s.setModel(CallbackTesting.model());
        s.onTrainBegin(Map.of());
        s.onEpochEnd(0, logs("loss", 1.0, "mse", 2.0));
        String warning = s.lastWarning;
        assertTrue(warning.contains("`val_loss`") && warning.contains("loss,mse"), warning);
        assertNull(s.best());
    }

    @Test
    void realFitStopsEarly() {
        Sequential model = CallbackTesting.model();
        var x = CallbackTesting.x();
        // An impossible min_delta: no epoch counts as an improvement, so patience 1 stops at epoch 1.
        EarlyStopping s = EarlyStopping.builder().monitor("val_loss").minDelta(1e6).patience(1).build();
        History h = model.fit(x, CallbackTesting.y(x), CallbackTesting.options(10, s).validationSplit(0.25));
        assertEquals(2, h.epoch().size());
        assertEquals(1, s.stoppedEpoch());
        model.close();
    }

    @Test
    void invalidMode() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EarlyStopping.builder().mode("minimum").build());
        assertTrue(e.getMessage().contains("mode=minimum"), e.getMessage());
    }

    @Test
    void negativePatience() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EarlyStopping.builder().patience(-1).build());
        assertTrue(e.getMessage().contains("patience=-1"), e.getMessage());
    }

    @Test
    void negativeStartFromEpoch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EarlyStopping.builder().startFromEpoch(-2).build());
        assertTrue(e.getMessage().contains("start_from_epoch=-2"), e.getMessage());
    }

    @Test
    void autoModeNeedsAKnownDirection() {
        EarlyStopping s = EarlyStopping.builder().monitor("val_f1").build();
        s.setModel(CallbackTesting.model());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.onEpochEnd(0, logs("val_f1", 0.5)));
        assertTrue(e.getMessage().contains("monitor=val_f1") && e.getMessage().contains("mode='max'"),
                e.getMessage());
    }
}
