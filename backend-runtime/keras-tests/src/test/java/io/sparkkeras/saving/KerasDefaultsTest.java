package io.sparkkeras.saving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkkeras.layers.Conv2D;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Dropout;
import io.sparkkeras.layers.Flatten;
import io.sparkkeras.layers.Input;
import io.sparkkeras.layers.MaxPooling2D;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Iterator;
import java.util.List;

/**
 * STYLE rule 2: the fixture's architecture written with our defaults serializes exactly as Python Keras 3.10 wrote
 * it (names and object ids aside), so every default of these classes equals Keras's.
 */
@Tag("torch")
@Timeout(60)
class KerasDefaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void fixtureArchitectureWithDefaultsSerializesAsKerasWroteIt() throws Exception {
        JsonNode keras = KerasArchives.withoutObjectIds(KerasArchives.json(Fixtures.fashionMnistCnn(), "config.json"));
        try (Sequential ours = new Sequential(new Input(28, 28, 1), new Conv2D(32, 3, "relu"), new MaxPooling2D(2),
                new Conv2D(64, 3, "relu"), new MaxPooling2D(2), new Flatten(), new Dropout(0.5),
                new Dense(64, "relu"), new Dense(10, "softmax"))) {
            ours.compile(new Adam(), "sparse_categorical_crossentropy", List.of("accuracy"));
            JsonNode mine = JSON.valueToTree(Serialization.serializeModel(ours));
            withoutNames(keras);
            withoutNames(mine);
            // Keras writes the learning rate from its float32 variable; "jit_compile" defaults to "auto" in Keras,
            // which its TensorFlow and JAX backends resolve to true.
            ObjectNode kc = (ObjectNode) keras.get("compile_config");
            ((ObjectNode) kc.get("optimizer").get("config")).put("learning_rate", 0.001);
            kc.put("jit_compile", false);
            KerasArchives.assertJsonEquals(keras, mine, "config");
        }
    }

    private static void withoutNames(JsonNode n) {
        if (n instanceof ObjectNode o && o.has("name") && o.has("trainable")) {
            o.remove("name");
        }
        if (n instanceof ObjectNode o && "InputLayer".equals(o.path("class_name").asText())) {
            ((ObjectNode) o.get("config")).remove("name");
        }
        for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
            withoutNames(it.next());
        }
    }
}
