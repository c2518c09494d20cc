package io.sparkkeras.callbacks;

import io.sparkkeras.models.Sequential;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.sparkkeras.callbacks.CallbackTesting.logs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
class HistoryTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void plotWritesAPng(@TempDir Path dir) throws Exception {
        History h = new History();
        h.onTrainBegin(Map.of());
        h.onEpochEnd(0, logs("loss", 1.0, "accuracy", 0.5, "val_loss", 1.2, "val_accuracy", 0.4));
        h.onEpochEnd(1, logs("loss", 0.6, "accuracy", 0.7, "val_loss", Double.NaN, "val_accuracy", 0.6));
        h.onEpochEnd(2, logs("loss", 0.4, "accuracy", 0.8, "val_loss", 0.7, "val_accuracy", 0.7));
        Path png = dir.resolve("plots/history.png");
        h.plot(png);
        assertPng(png);
    }

    @Test
    void plotAfterRealFit(@TempDir Path dir) throws Exception {
        Sequential model = CallbackTesting.model();
        var x = CallbackTesting.x();
        History h = model.fit(x, CallbackTesting.y(x), CallbackTesting.options(3).validationSplit(0.25));
        Path png = dir.resolve("fit.png");
        h.plot(png);
        assertPng(png);
        model.close();
    }

    @Test
    void plotWithValidationEveryOtherEpoch(@TempDir Path dir) throws Exception {
        Sequential model = CallbackTesting.model();
        var x = CallbackTesting.x();
        History h = model.fit(x, CallbackTesting.y(x),
                CallbackTesting.options(4).validationData(x, CallbackTesting.y(x)).validationFreq(2));
        Path png = dir.resolve("fit.png");
        h.plot(png);
        assertPng(png);
        model.close();
    }

    @Test
    void emptyHistoryCannotBePlotted(@TempDir Path dir) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new History().plot(dir.resolve("x.png")));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    private static void assertPng(Path png) throws Exception {
        byte[] bytes = Files.readAllBytes(png);
        assertTrue(bytes.length > 1000, "PNG of " + bytes.length + " bytes");
        byte[] head = new byte[8];
        System.arraycopy(bytes, 0, head, 0, 8);
        assertArrayEquals(PNG_SIGNATURE, head);
    }
}
