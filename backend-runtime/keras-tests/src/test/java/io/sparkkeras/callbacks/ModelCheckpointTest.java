package io.sparkkeras.callbacks;

import io.sparkkeras.models.Sequential;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.sparkkeras.callbacks.CallbackTesting.logs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
class ModelCheckpointTest {

    @Test
    void saveBestOnlyWritesImprovingEpochs(@TempDir Path dir) throws Exception {
        Sequential model = CallbackTesting.model();
        ModelCheckpoint c = ModelCheckpoint.builder(dir + "/w-{epoch:02d}-{val_loss:.2f}.weights.bin")
                .saveWeightsOnly(true).saveBestOnly(true).build();
        c.setModel(model);
        double[] losses = {0.5, 0.7, 0.25};
        for (int epoch = 0; epoch < losses.length; epoch++) {
            CallbackTesting.markWeights(model, epoch);
            c.onEpochEnd(epoch, logs("loss", 1.0, "val_loss", losses[epoch]));
        }
        assertTrue(Files.exists(dir.resolve("w-01-0.50.weights.bin")));
        assertFalse(Files.exists(dir.resolve("w-02-0.70.weights.bin")));
        List<NdArray> saved = WeightsFile.read(dir.resolve("w-03-0.25.weights.bin"));
        assertEquals(2f, saved.get(0).toFloatArray()[0]);
        assertEquals(0.25, c.best());
        model.close();
    }

    @Test
    void saveBestOnlyWithoutTheMonitorWarnsAndSaves(@TempDir Path dir) {
        ModelCheckpoint c = ModelCheckpoint.builder(dir + "/w.weights.bin").saveWeightsOnly(true).saveBestOnly(true)
                .build();
        c.setModel(CallbackTesting.model());
        c.onEpochEnd(0, logs("loss", 1.0));
        assertTrue(c.lastWarning.contains("val_loss") && c.lastWarning.contains("loss"), c.lastWarning);
        assertTrue(Files.exists(dir.resolve("w.weights.bin")));
    }

    @Test
    void weightsFileRoundTrip(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.weights.bin");
        List<NdArray> ws = List.of(NdArray.of(new float[][] {{1, 2, 3}, {4, 5, 6}}), NdArray.of(new long[] {7, -8}),
                NdArray.of(new double[] {0.5}));
        WeightsFile.write(f, ws);
        List<NdArray> back = WeightsFile.read(f);
        assertEquals(3, back.size());
        assertEquals(ws.get(0).shape(), back.get(0).shape());
        assertArrayEquals(ws.get(0).toFloatArray(), back.get(0).toFloatArray());
        assertArrayEquals(new long[] {7, -8}, back.get(1).toLongArray());
        assertEquals(0.5, back.get(2).getDouble(0));
        byte[] head = Files.readAllBytes(f);
        assertEquals("SKWT", new String(head, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void unknownVersionIsRejected(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("b.weights.bin");
        WeightsFile.write(f, List.of(NdArray.of(new float[] {1})));
        byte[] b = Files.readAllBytes(f);
        b[7] = 9;
        Files.write(f, b);
        IOException e = assertThrows(IOException.class, () -> WeightsFile.read(f));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
    }

    @Test
    void realFitSavesEachEpochAndRestores(@TempDir Path dir) throws Exception {
        Sequential model = CallbackTesting.model();
        var x = CallbackTesting.x();
        ModelCheckpoint c = ModelCheckpoint.builder(dir + "/ckpt-{epoch}.weights.bin").saveWeightsOnly(true).build();
        model.fit(x, CallbackTesting.y(x), CallbackTesting.options(2, c));
        assertTrue(Files.exists(dir.resolve("ckpt-1.weights.bin")));
        List<NdArray> last = WeightsFile.read(dir.resolve("ckpt-2.weights.bin"));
        assertArrayEquals(model.getWeights().get(0).toFloatArray(), last.get(0).toFloatArray());
        CallbackTesting.markWeights(model, 0);
        model.setWeights(last);
        assertArrayEquals(last.get(1).toFloatArray(), model.getWeights().get(1).toFloatArray());
        model.close();
    }

    @Test
    void saveFreqInBatches(@TempDir Path dir) {
        Sequential model = CallbackTesting.model();
        var x = CallbackTesting.x();
        ModelCheckpoint c = ModelCheckpoint.builder(dir + "/e{epoch}-b{batch}.weights.bin").saveWeightsOnly(true)
                .saveFreq(2).build();
        model.fit(x, CallbackTesting.y(x), CallbackTesting.options(1, c));
        assertTrue(Files.exists(dir.resolve("e1-b2.weights.bin")));
        assertTrue(Files.exists(dir.resolve("e1-b4.weights.bin")));
        assertFalse(Files.exists(dir.resolve("e1-b1.weights.bin")));
        model.close();
    }

    @Test
    void kerasFormats(@TempDir Path dir) {
        Sequential model = CallbackTesting.model();
        var x = CallbackTesting.x();
        ModelCheckpoint whole = ModelCheckpoint.builder(dir + "/best.keras").saveBestOnly(true).monitor("loss")
                .build();
        ModelCheckpoint weights = ModelCheckpoint.builder(dir + "/e{epoch}.weights.h5").saveWeightsOnly(true).build();
        model.fit(x, CallbackTesting.y(x), CallbackTesting.options(2, whole, weights));
        assertTrue(Files.exists(dir.resolve("best.keras")));
        assertTrue(Files.exists(dir.resolve("e2.weights.h5")));
        List<NdArray> trained = model.getWeights();
        CallbackTesting.markWeights(model, 0);
        model.loadWeights(dir.resolve("e2.weights.h5"));
        assertArrayEquals(trained.get(0).toFloatArray(), model.getWeights().get(0).toFloatArray());
        model.close();
    }

    @Test
    void wholeModelNeedsDotKeras() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelCheckpoint.builder("m.weights.h5").build());
        assertTrue(e.getMessage().contains("filepath=m.weights.h5") && e.getMessage().contains(".keras"),
                e.getMessage());
    }

    @Test
    void weightsOnlyNeedsAWeightsSuffix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelCheckpoint.builder("m.keras").saveWeightsOnly(true).build());
        assertTrue(e.getMessage().contains("filepath=m.keras"), e.getMessage());
    }

    @Test
    void saveFreqMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelCheckpoint.builder("m.weights.bin").saveWeightsOnly(true).saveFreq(0).build());
        assertTrue(e.getMessage().contains("save_freq: 0"), e.getMessage());
    }

    @Test
    void unknownKeyInFilepath(@TempDir Path dir) {
        ModelCheckpoint c = ModelCheckpoint.builder(dir + "/{val_acc}.weights.bin").saveWeightsOnly(true)
                .mode("max").build();
        c.setModel(CallbackTesting.model());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.onEpochEnd(0, logs("loss", 1.0)));
        assertTrue(e.getMessage().contains("'val_acc'") && e.getMessage().contains("{val_acc}"), e.getMessage());
    }
}
