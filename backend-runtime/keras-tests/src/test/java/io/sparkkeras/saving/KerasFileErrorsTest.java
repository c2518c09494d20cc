package io.sparkkeras.saving;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.models.Model;
import io.sparkkeras.models.Sequential;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 5: each way a .keras file can be wrong gives one clear message that says which and where. */
@Tag("torch")
@Timeout(60)
class KerasFileErrorsTest {
    @TempDir
    Path dir;

    private Path withConfig(String from, String to) throws Exception {
        Map<String, byte[]> e = ZipEntries.read(Fixtures.fashionMnistCnn());
        String config = ZipEntries.text(e.get("config.json"));
        assertTrue(config.contains(from), from);
        e.put("config.json", ZipEntries.bytes(config.replaceFirst(java.util.regex.Pattern.quote(from), to)));
        return ZipEntries.write(dir.resolve("edited.keras"), e);
    }

    private static KerasFileException loadFails(Path p) {
        return assertThrows(KerasFileException.class, () -> Models.load(p).close());
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "expected '" + p + "' in: " + message);
        }
    }

    @Test
    void unknownClassNameNamesTheClassTheLayerAndWhatIsSupported() throws Exception {
        KerasFileException e = loadFails(withConfig("\"class_name\": \"Conv2D\"", "\"class_name\": \"FancyConv2D\""));
        assertEquals("config.json", e.entry());
        assertContains(e.getMessage(), "config.json", "FancyConv2D", "layer 'conv2d'", "Supported:", "Conv2D",
                "Dense", "SerializationRegistry.register");
    }

    @Test
    void unknownOptimizerIsNamed() throws Exception {
        KerasFileException e = loadFails(withConfig("\"class_name\": \"Adam\"", "\"class_name\": \"Lion\""));
        assertContains(e.getMessage(), "config.json", "Lion", "Supported: [Adam, AdamW, SGD, RMSprop, Adagrad]");
    }

    @Test
    void weightShapeMismatchNamesBothShapesAndTheHdf5Path() throws Exception {
        KerasFileException e = loadFails(withConfig("\"units\": 64", "\"units\": 32"));
        assertEquals("model.weights.h5", e.entry());
        assertContains(e.getMessage(), "layer 'dense'", "(1600, 32)", "(1600, 64)", "layers/dense/vars/0");
    }

    @Test
    void truncatedFileSaysSo() throws Exception {
        byte[] all = Files.readAllBytes(Fixtures.fashionMnistCnn());
        Path p = Files.write(dir.resolve("truncated.keras"), Arrays.copyOf(all, all.length / 2));
        assertContains(loadFails(p).getMessage(), "truncated.keras", "not a zip archive, or truncated");
    }

    @Test
    void nonZipFileSaysSo() throws Exception {
        Path p = Files.writeString(dir.resolve("model.keras"), "{\"class_name\": \"Sequential\"}");
        assertContains(loadFails(p).getMessage(), "model.keras", "not a zip archive");
    }

    @Test
    void missingFileSaysSo() {
        assertContains(loadFails(dir.resolve("nope.keras")).getMessage(), "nope.keras", "no such file");
    }

    @Test
    void missingEntriesAreNamed() throws Exception {
        for (String name : new String[] {"config.json", "model.weights.h5"}) {
            Map<String, byte[]> e = ZipEntries.read(Fixtures.fashionMnistCnn());
            e.remove(name);
            KerasFileException x = loadFails(ZipEntries.write(dir.resolve("missing.keras"), e));
            assertEquals(name, x.entry());
            assertContains(x.getMessage(), name, "missing entry", "metadata.json");
        }
    }

    @Test
    void malformedJsonSaysWhere() throws Exception {
        KerasFileException e = loadFails(withConfig("\"name\": \"sequential\",", "\"name\": \"sequential\" \"oops\","));
        assertEquals("config.json", e.entry());
        assertContains(e.getMessage(), "config.json", "malformed JSON at line 1, column");

        Map<String, byte[]> m = ZipEntries.read(Fixtures.fashionMnistCnn());
        m.put("metadata.json", ZipEntries.bytes("{\"keras_version\": "));
        assertContains(loadFails(ZipEntries.write(dir.resolve("meta.keras"), m)).getMessage(), "metadata.json",
                "malformed JSON");

        Map<String, byte[]> l = ZipEntries.read(Fixtures.fashionMnistCnn());
        l.put("config.json", ZipEntries.bytes("[1, 2]"));
        assertContains(loadFails(ZipEntries.write(dir.resolve("list.keras"), l)).getMessage(), "config.json",
                "expected a JSON object");
    }

    @Test
    void damagedWeightsSaySo() throws Exception {
        Map<String, byte[]> e = ZipEntries.read(Fixtures.fashionMnistCnn());
        e.put("model.weights.h5", ZipEntries.bytes("not hdf5 at all"));
        assertContains(loadFails(ZipEntries.write(dir.resolve("w.keras"), e)).getMessage(), "model.weights.h5",
                "not an HDF5 file");

        Map<String, byte[]> t = ZipEntries.read(Fixtures.fashionMnistCnn());
        t.put("model.weights.h5", Arrays.copyOf(t.get("model.weights.h5"), 4000));
        assertContains(loadFails(ZipEntries.write(dir.resolve("t.keras"), t)).getMessage(), "model.weights.h5");
    }

    @Test
    void unsupportedFeaturesAreRefusedByName() throws Exception {
        assertContains(loadFails(withConfig("\"kernel_regularizer\": null",
                "\"kernel_regularizer\": {\"module\": \"keras.regularizers\", \"class_name\": \"L2\", "
                        + "\"config\": {\"l2\": 0.01}, \"registered_name\": null}")).getMessage(),
                "Layer 'conv2d'", "kernel_regularizer", "not supported");
        assertContains(loadFails(withConfig("\"name\": \"float32\"", "\"name\": \"mixed_float16\"")).getMessage(),
                "mixed_float16", "only 'float32'");
    }

    @Test
    void savingNeedsTheKerasExtensions() {
        try (Sequential m = new Sequential(new Input(2), new Dense(1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.save(dir.resolve("model.h5")));
            assertContains(e.getMessage(), "must end in `.keras`", "model.h5");
            e = assertThrows(IllegalArgumentException.class, () -> m.saveWeights(dir.resolve("w.h5")));
            assertContains(e.getMessage(), "must end in `.weights.h5`");
        }
    }

    @Test
    void loadWeightsIntoTheWrongModelNamesTheLayer() throws Exception {
        try (Model m = new Sequential(new Input(28, 28, 1), new io.sparkkeras.layers.Flatten(), new Dense(10))) {
            KerasFileException e = assertThrows(KerasFileException.class,
                    () -> m.loadWeights(Fixtures.fashionMnistCnn()));
            assertContains(e.getMessage(), "weight shape mismatch", "(784, 10)", "(1600, 64)", "layers/dense/vars/0");
        }
    }
}
