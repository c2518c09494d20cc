package io.sparkkeras.callbacks;

import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.SGD;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.sparkkeras.callbacks.CallbackTesting.logs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
class TerminateOnNaNTest {

    @Test
    void stopsOnNaNOrInfinity() {
        Sequential model = CallbackTesting.model();
        TerminateOnNaN t = new TerminateOnNaN();
        t.setModel(model);
        t.onTrainBatchEnd(0, logs("loss", 1.0));
        assertFalse(model.stopTraining());
        t.onTrainBatchEnd(1, logs("loss", Double.POSITIVE_INFINITY));
        assertTrue(model.stopTraining());
        model.setStopTraining(false);
        t.onTrainBatchEnd(2, logs("loss", Double.NaN));
        assertTrue(model.stopTraining());
        model.close();
    }

    @Test
    void raiseErrorThrowsWithBatchAndLoss() {
        TerminateOnNaN t = TerminateOnNaN.builder().raiseError(true).build();
        t.setModel(CallbackTesting.model());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> t.onTrainBatchEnd(7, logs("loss", Double.NaN)));
        assertTrue(e.getMessage().contains("batch 7") && e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void realFitStopsAfterTheEpoch() {
        // A learning rate of 1e30 makes the weights overflow float32 within two steps.
        Sequential model = CallbackTesting.model(new SGD(1e30));
        NdArray x = CallbackTesting.x();
        History h = model.fit(x, CallbackTesting.y(x), CallbackTesting.options(5, new TerminateOnNaN()));
        assertEquals(1, h.epoch().size());
        assertTrue(Double.isNaN(h.last("loss")) || Double.isInfinite(h.last("loss")), h.toString());
        model.close();
    }
}
