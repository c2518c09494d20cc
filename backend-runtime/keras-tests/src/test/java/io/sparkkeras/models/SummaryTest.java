package io.sparkkeras.models;

import io.sparkkeras.layers.Conv2D;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Flatten;
import io.sparkkeras.layers.Input;
import io.sparkkeras.layers.MaxPooling2D;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** summary() prints Keras 3's table: layer (type), output shape, params, then totals with sizes. */
@Tag("torch")
class SummaryTest {

    @Test
    void sequentialSummaryListsEveryLayerWithShapesAndCounts() {
        Sequential model = new Sequential("cnn", new Input(28, 28, 1), new Conv2D(32, 3, "relu"), new MaxPooling2D(2),
                new Flatten(), new Dense(10, "softmax"));
        String s = model.summaryString();
        assertTrue(s.startsWith("Model: \"cnn\""), s);
        assertTrue(s.contains("Layer (type)") && s.contains("Output Shape") && s.contains("Param #"), s);
        assertTrue(s.matches("(?s).*conv2d(_\\d+)? \\(Conv2D\\)\\s+│ \\(None, 26, 26, 32\\)\\s+│\\s+320 │.*"), s);
        assertTrue(s.contains("(None, 13, 13, 32)") && s.contains("(None, 5408)"), s);
        assertTrue(s.contains("54,090"), s);   // 5408 * 10 + 10
        assertTrue(s.contains("Total params: 54,410 (212.54 KB)"), s);
        assertTrue(s.contains("Non-trainable params: 0 (0.00 B)"), s);
        model.close();
    }
}
