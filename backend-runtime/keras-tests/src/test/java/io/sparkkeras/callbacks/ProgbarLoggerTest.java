package io.sparkkeras.callbacks;

import io.sparkkeras.models.Sequential;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.sparkkeras.callbacks.CallbackTesting.logs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
class ProgbarLoggerTest {

    /** What a ProgbarLogger prints over a fit of {@code epochs} epochs of 4 steps. */
    private static String fitPrints(int epochs, int verbose, boolean terminal) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (Sequential model = CallbackTesting.model()) {
            var x = CallbackTesting.x();
            model.fit(x, CallbackTesting.y(x), CallbackTesting.options(epochs,
                    new ProgbarLogger(verbose, new PrintStream(buf, true, StandardCharsets.UTF_8), terminal)));
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void oneLinePerEpochWhenNotATerminal() {
        List<String> lines = fitPrints(2, 1, false).lines().toList();
        assertEquals(4, lines.size(), lines.toString());
        assertEquals("Epoch 1/2", lines.get(0));
        assertEquals("Epoch 2/2", lines.get(2));
        for (String line : List.of(lines.get(1), lines.get(3))) {
            assertTrue(line.matches("4/4 - \\d+s \\d+ms/step - loss: \\d+\\.\\d{4}"), line);
            assertTrue(!line.contains("\r") && !line.contains("["), line);
        }
    }

    @Test
    void terminalRedrawsTheBarInPlace() {
        String out = fitPrints(1, 1, true);
        // The first step always draws; the last step and the epoch end draw the full bar.
        assertTrue(out.contains("\r1/4 [=======>......................] - ETA: "), out);
        assertTrue(out.matches("(?s).*\r4/4 \\[==============================] - \\d+s \\d+ms/step - loss: .*\n"), out);
    }

    @Test
    void verboseTwoPrintsNoBarEvenOnATerminal() {
        String out = fitPrints(1, 2, true);
        assertTrue(out.matches("Epoch 1/1\n4/4 - \\d+s \\d+ms/step - loss: \\d+\\.\\d{4}\n"), out);
    }

    @Test
    void summaryLineAsKeras() {
        assertEquals("79/79 - 1s 9ms/step - loss: 0.3512 - accuracy: 0.8741",
                ProgbarLogger.summaryLine(79, 711_000_000L, logs("loss", 0.35123, "accuracy", 0.87414)));
        assertEquals("2/2 - 0s 0ms/step - loss: 1.2000e-05",
                ProgbarLogger.summaryLine(2, 100_000L, logs("loss", 1.2e-5)));
    }

    /** What {@code calls} print to stdout, given the callback tests' model and its 64 samples. */
    private static String stdoutOf(java.util.function.BiConsumer<Sequential, io.sparkkeras.utils.NdArray> calls) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try (Sequential model = CallbackTesting.model()) {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            calls.accept(model, CallbackTesting.x());
        } finally {
            System.setOut(stdout);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void evaluatePrintsTimeAndStepsAsKeras() {
        String out = stdoutOf((model, x) -> model.evaluate(x, CallbackTesting.y(x)));
        assertTrue(out.matches("2/2 - \\d+s \\d+ms/step - loss: \\d+\\.\\d{4}\n"), out);
    }

    @Test
    void predictPrintsStepsAndTimeAsKerasUnlessSilent() {
        String out = stdoutOf((model, x) -> {
            model.predict(x);                 // Keras's defaults: batches of 32, the bar's closing line
            model.predict(x, 16, 0);          // verbose=0: nothing
        });
        assertTrue(out.matches("2/2 - \\d+s \\d+ms/step\n"), out);
    }
}
