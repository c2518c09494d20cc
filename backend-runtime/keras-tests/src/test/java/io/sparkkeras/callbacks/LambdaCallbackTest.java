package io.sparkkeras.callbacks;

import io.sparkkeras.models.Sequential;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Tag("torch")
class LambdaCallbackTest {

    @Test
    void unsetHooksDoNothing() {
        LambdaCallback c = LambdaCallback.builder().build();
        c.onTrainBegin(Map.of());
        c.onEpochBegin(0, Map.of());
        c.onTrainBatchBegin(0, Map.of());
        c.onTrainBatchEnd(0, Map.of());
        c.onEpochEnd(0, Map.of());
        c.onTrainEnd(Map.of());
    }

    @Test
    void realFitCallsEveryHookInOrder() {
        List<String> calls = new ArrayList<>();
        LambdaCallback c = LambdaCallback.builder()
                .onTrainBegin(l -> calls.add("train_begin"))
                .onEpochBegin((e, l) -> calls.add("epoch_begin " + e))
                .onTrainBatchBegin((b, l) -> calls.add("batch_begin " + b))
                .onTrainBatchEnd((b, l) -> calls.add("batch_end " + b))
                .onEpochEnd((e, l) -> calls.add("epoch_end " + e + " " + l.containsKey("loss")))
                .onTrainEnd(l -> calls.add("train_end"))
                .build();
        Sequential model = CallbackTesting.model();
        var x = CallbackTesting.x();
        model.fit(x, CallbackTesting.y(x), CallbackTesting.options(2, c).batchSize(32));
        assertEquals(List.of("train_begin",
                "epoch_begin 0", "batch_begin 0", "batch_end 0", "batch_begin 1", "batch_end 1", "epoch_end 0 true",
                "epoch_begin 1", "batch_begin 0", "batch_end 0", "batch_begin 1", "batch_end 1", "epoch_end 1 true",
                "train_end"), calls);
        model.close();
    }
}
