package io.sparkkeras.spark;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.models.Model;
import io.sparkkeras.saving.Models;
import io.sparkkeras.utils.NdArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A model as bytes: how {@link KerasEstimator} ships a model to executors, checkpoints it, and how
 * {@link KerasModel} persists it. The one place that knows the byte format: a Keras 3 {@code .keras} file
 * (zip of {@code config.json}, {@code metadata.json}, {@code model.weights.h5}) as keras-core's
 * {@link Models#save} writes it, so any model it saves (Sequential, functional; compiled with optimizer state)
 * ships, and a saved {@code KerasModel}'s model file loads in Python Keras 3.
 */
final class ModelBytes {
    private ModelBytes() {
    }

    /** The model's {@code .keras} bytes: architecture, compile settings, weights and optimizer state. */
    static byte[] toBytes(Model model) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("spark-keras-model");
            Path file = dir.resolve("model.keras");
            Models.save(model, file);
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot save model '" + model.name() + "' as .keras bytes", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /** A new model from {@code .keras} bytes, compiled if it was saved compiled; owned by the caller. */
    static Model fromBytes(byte[] bytes) {
        if (bytes.length < 4 || bytes[0] != 'P' || bytes[1] != 'K') {
            throw new IllegalArgumentException("Received " + bytes.length + " bytes that are not a .keras file "
                    + "(a zip archive starting with PK), expected a model saved by model.save(path.keras)");
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("spark-keras-model");
            Path file = dir.resolve("model.keras");
            Files.write(file, bytes);
            return Models.load(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot load a model from " + bytes.length + " .keras bytes", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignore) {
            // a temp file left behind is not worth failing for
        }
    }

    /** A checksum of the model's weights: equal on ranks holding identical weights. */
    static long weightsChecksum(Model model) {
        CRC32 crc = new CRC32();
        for (NdArray w : model.getWeights()) {
            for (float f : w.toFloatArray()) {
                int bits = Float.floatToRawIntBits(f);
                crc.update(bits);
                crc.update(bits >>> 8);
                crc.update(bits >>> 16);
                crc.update(bits >>> 24);
            }
        }
        return crc.getValue();
    }

    /** Bytes as a short description for logs: size and checksum. */
    static String describe(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return bytes.length + " bytes, crc32 " + Long.toHexString(crc.getValue());
    }

    static Shape inputShape(Model model) {
        List<Shape> shapes = model.inputShapes();
        if (shapes == null || shapes.isEmpty()) {
            throw new IllegalArgumentException("Received a model without a declared input shape, expected a model "
                    + "that starts with Input(...) so the feature shape is known. Received: model=" + model.name());
        }
        if (shapes.size() > 1) {
            throw new IllegalArgumentException("Received a model with " + shapes.size() + " inputs " + shapes
                    + ", expected one: each row gives the model one features tensor (featuresCol, or featuresCols "
                    + "assembled into one vector). Take one input and split it inside the model. Received: model="
                    + model.name());
        }
        return shapes.get(0);
    }
}
