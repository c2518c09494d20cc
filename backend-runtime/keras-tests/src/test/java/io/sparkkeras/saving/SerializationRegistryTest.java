package io.sparkkeras.saving;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.initializers.Initializers;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.layers.KerasTensor;
import io.sparkkeras.layers.Layer;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.metrics.SparseCategoricalAccuracy;
import io.sparkkeras.models.CompileOptions;
import io.sparkkeras.models.FitOptions;
import io.sparkkeras.models.Model;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.optimizers.SGD;
import io.sparkkeras.utils.Configs;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** User layers are saved under their registered name and load once registered, as with Keras's decorator. */
@Tag("torch")
@Timeout(60)
class SerializationRegistryTest {

    /** Multiplies each feature by a learned factor: {@code y = x * gamma}. */
    @KerasSerializable(packageName = "MyLayers")
    public static final class Scale extends Layer {
        private final double initialValue;
        private Variable gamma;

        public Scale(double initialValue, String name) {
            super(name);
            this.initialValue = initialValue;
        }

        @Override
        protected void build(Shape inputShape) {
            gamma = addWeight("gamma", Shape.of(inputShape.last()), Initializers.constant(initialValue));
        }

        @Override
        protected Tensor call(Tensor inputs, boolean training) {
            return Ops.multiply(inputs, gamma.value());
        }

        @Override
        public Shape computeOutputShape(Shape inputShape) {
            return inputShape;
        }

        @Override
        public Map<String, Object> getConfig() {
            return Configs.merge(super.getConfig(), Configs.of("initial_value", initialValue));
        }

        public static Scale fromConfig(Map<String, Object> c) {
            return new Scale(Configs.getDouble(c, "initial_value"), (String) c.get("name"));
        }
    }

    @Test
    void registeredLayerRoundTripsWithObjectsInTheCompileConfig(@TempDir Path dir) throws Exception {
        RandomSeeds.setRandomSeed(11);
        Path file = dir.resolve("custom.keras");
        NdArray x = NdArray.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
        NdArray y = NdArray.of(new int[] {0, 1, 0, 1});
        KerasTensor in = Input.of(2);
        try (Model m = new Model(in, new Dense(2).apply(new Scale(0.5, null).apply(in)))) {
            m.compile(new CompileOptions().optimizer(SGD.builder().learningRate(0.1).momentum(0.9).build())
                    .loss(SparseCategoricalCrossentropy.builder().fromLogits(true).build())
                    .metrics(new SparseCategoricalAccuracy("acc")));
            m.fit(x, y, new FitOptions().epochs(2).batchSize(2).shuffle(false).verbose(0));
            m.save(file);

            KerasFileException unknown = assertThrows(KerasFileException.class, () -> Models.load(file));
            assertTrue(unknown.getMessage().contains("Unknown layer class_name 'Scale'")
                    && unknown.getMessage().contains("SerializationRegistry.register"), unknown.getMessage());

            SerializationRegistry.register(Scale.class);
            try (Model r = Models.load(file)) {
                assertInstanceOf(Scale.class, r.layers().get(1));
                assertArrayEquals(m.predict(x).toFloatArray(), r.predict(x).toFloatArray());
                ModelRoundTripTest.assertSameState(m, r);
                assertInstanceOf(SparseCategoricalCrossentropy.class, r.losses().get(0));
                assertEquals(1, r.metricSpecs().size());
                assertEquals("acc", assertInstanceOf(SparseCategoricalAccuracy.class, r.metricSpecs().get(0)).name());
            }
            Path registered = dir.resolve("registered.keras");
            m.save(registered);
            JsonNode config = KerasArchives.json(registered, "config.json");
            JsonNode scale = config.get("config").get("layers").get(1);
            assertEquals("MyLayers>Scale", scale.get("registered_name").asText());
            assertEquals(0.5, scale.get("config").get("initial_value").asDouble());
            assertEquals("SparseCategoricalCrossentropy", config.get("compile_config").get("loss").get("class_name")
                    .asText());
            assertTrue(KerasArchives.weights(registered).find("layers/scale/vars").datasets().containsKey("0"));
        } finally {
            SerializationRegistry.unregister(Scale.class);
        }
    }

    @Test
    void registrationNeedsAFromConfig() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SerializationRegistry.register(String.class));
        assertTrue(e.getMessage().contains("fromConfig") && e.getMessage().contains("java.lang.String"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> SerializationRegistry.register("a>b", "X", Scale.class, Scale::fromConfig));
        assertEquals(List.of(), SerializationRegistry.registeredNames().stream().filter(n -> n.startsWith("a>"))
                .toList());
    }
}
