package io.sparkkeras.callbacks;

import io.sparkkeras.models.Sequential;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.sparkkeras.callbacks.CallbackTesting.logs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
class CSVLoggerTest {

    @Test
    void writesSortedKeysWithValColumnsAsKeras(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("log.csv");
        CSVLogger c = new CSVLogger(f);
        c.onTrainBegin(Map.of());
        c.onEpochEnd(0, logs("loss", 0.5, "accuracy", 0.25));
        c.onEpochEnd(1, logs("loss", 1e-5, "accuracy", Double.NaN));
        c.onTrainEnd(Map.of());
        assertEquals("epoch,accuracy,loss,val_accuracy,val_loss\r\n"
                + "0,0.25,0.5,NA,NA\r\n"
                + "1,nan,1e-05,NA,NA\r\n", Files.readString(f));
    }

    @Test
    void appendKeepsTheHeaderOnceAndSeparatorIsUsed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("log.csv");
        for (int run = 0; run < 2; run++) {
            CSVLogger c = CSVLogger.builder(f).separator(";").append(true).build();
            c.onTrainBegin(Map.of());
            c.onEpochEnd(run, logs("loss", 2.0, "val_loss", 3.0));
            c.onTrainEnd(Map.of());
        }
        assertEquals(List.of("epoch;loss;val_loss", "0;2.0;3.0", "1;2.0;3.0"), Files.readAllLines(f));
    }

    @Test
    void pythonFloatRepr() {
        assertEquals("0.1", CSVLogger.pythonRepr(0.1));
        assertEquals("1.0", CSVLogger.pythonRepr(1.0));
        assertEquals("0.0001", CSVLogger.pythonRepr(1e-4));
        assertEquals("1.5e-05", CSVLogger.pythonRepr(1.5e-5));
        assertEquals("12345678.0", CSVLogger.pythonRepr(12345678.0));
        assertEquals("1e+16", CSVLogger.pythonRepr(1e16));
        assertEquals("-inf", CSVLogger.pythonRepr(Double.NEGATIVE_INFINITY));
    }

    @Test
    void realFit(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("sub/training.log");
        Sequential model = CallbackTesting.model();
        var x = CallbackTesting.x();
        History h = model.fit(x, CallbackTesting.y(x),
                CallbackTesting.options(3, new CSVLogger(f)).validationSplit(0.25));
        List<String> lines = Files.readAllLines(f);
        assertEquals("epoch,loss,val_loss", lines.get(0));
        assertEquals(4, lines.size());
        String[] last = lines.get(3).split(",");
        assertEquals("2", last[0]);
        assertEquals(h.last("loss"), Double.parseDouble(last[1]), 0.0);
        assertEquals(h.last("val_loss"), Double.parseDouble(last[2]), 0.0);
        model.close();
    }

    @Test
    void emptySeparator(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CSVLogger.builder(dir.resolve("x.csv")).separator("").build());
        assertTrue(e.getMessage().contains("separator=\"\""), e.getMessage());
    }

    @Test
    void nullFilename() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CSVLogger(null));
        assertTrue(e.getMessage().contains("filename=null"), e.getMessage());
    }
}
