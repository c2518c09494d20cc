package io.sparkkeras.saving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkkeras.datasets.FashionMnist;
import io.sparkkeras.models.Model;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5: loading the Python-saved fixture and saving it again gives the same config.json key by key (apart from
 * {@code date_saved} and object ids) and the same model.weights.h5 groups, datasets, shapes and values.
 */
@Tag("torch")
@Timeout(120)
class FixtureRoundTripTest {

    @Test
    void resavedFixtureMatchesTheOriginal(@TempDir Path dir) throws Exception {
        Path original = Fixtures.fashionMnistCnn();
        Path copy = dir.resolve("copy.keras");
        try (Model model = Models.load(original)) {
            model.save(copy);
        }
        assertEquals(List.of("metadata.json", "config.json", "model.weights.h5"), KerasArchives.entryNames(copy));

        KerasArchives.assertJsonEquals(KerasArchives.withoutObjectIds(KerasArchives.json(original, "config.json")),
                KerasArchives.withoutObjectIds(KerasArchives.json(copy, "config.json")), "config");

        JsonNode m0 = KerasArchives.json(original, "metadata.json");
        JsonNode m1 = KerasArchives.json(copy, "metadata.json");
        ((ObjectNode) m0).remove("date_saved");
        assertTrue(m1.get("date_saved").asText().matches("\\d{4}-\\d\\d-\\d\\d@\\d\\d:\\d\\d:\\d\\d"), m1.toString());
        ((ObjectNode) m1).remove("date_saved");
        assertEquals(m0, m1);

        H5Group w0 = KerasArchives.weights(original);
        H5Group w1 = KerasArchives.weights(copy);
        KerasArchives.assertH5Equals(w0, w1, "");
    }

    @Test
    void resavedFixturePredictsBitIdentically(@TempDir Path dir) throws Exception {
        NdArray x = FashionMnist.scaled(FashionMnist.loadData(FashionMnist.DEFAULT_DIR, 0, 256).xTest())
                .reshape(-1, 28, 28, 1);
        Path copy = dir.resolve("copy.keras");
        float[] before;
        try (Model model = Models.load(Fixtures.fashionMnistCnn())) {
            before = model.predict(x).toFloatArray();
            model.save(copy);
        }
        try (Model again = Models.load(copy)) {
            assertArrayEquals(before, again.predict(x).toFloatArray());
            assertEquals(17500, again.optimizer().iterations());
        }
    }
}
