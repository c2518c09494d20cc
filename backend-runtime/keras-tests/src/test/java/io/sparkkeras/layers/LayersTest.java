package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.sparkkeras.layers.LayerTesting.assertInvalid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
class LayersTest {

    @Test
    void everyBuiltInLayerIsRegistered() {
        assertEquals(List.of("InputLayer", "Dense", "Activation", "Dropout", "Flatten", "Reshape", "Permute", "Conv1D",
                "Conv2D", "Conv2DTranspose", "MaxPooling1D", "MaxPooling2D", "AveragePooling2D",
                "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "BatchNormalization",
                "LayerNormalization", "Embedding", "Rescaling", "ZeroPadding2D", "UpSampling2D", "Add",
                "Concatenate", "Multiply"), Layers.supported());
    }

    @Test
    void serializeThenDeserializeRebuildsTheLayerAndItsBuild() {
        Dense dense = new Dense(3, "relu");
        dense.buildFor(Shape.of(-1, 5));
        Map<String, Object> saved = Layers.serialize(dense);
        assertEquals("keras.layers", saved.get("module"));
        assertEquals("Dense", saved.get("class_name"));

        Layer copy = Layers.deserialize(saved);

        assertInstanceOf(Dense.class, copy);
        assertEquals(dense.getConfig(), copy.getConfig());
        assertTrue(copy.isBuilt());
        assertEquals(Shape.of(5, 3), copy.weights().get(0).shape());
        dense.close();
        copy.close();
    }

    @Test
    void rejectsAnUnknownClassNameListingTheSupportedOnes() {
        Map<String, Object> saved = Map.of("class_name", "SimpleRNN", "config", Map.of("name", "rnn_1"));
        assertInvalid("Unknown layer class_name 'SimpleRNN'", "(layer 'rnn_1')", () -> Layers.deserialize(saved));
        assertInvalid("Supported: [InputLayer, Dense", "Multiply]", () -> Layers.deserialize(saved));
    }
}
