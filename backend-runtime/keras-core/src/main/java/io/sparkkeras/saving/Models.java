package io.sparkkeras.saving;

import io.sparkkeras.models.Model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Saving and loading models: Keras's {@code keras.saving.load_model} / {@code model.save} for {@code .keras} files
 * and {@code save_weights} / {@code load_weights} for {@code .weights.h5} files. Files are Keras 3's own format,
 * interchangeable with Python Keras 3.
 *
 * <pre>{@code
 * model.save(Path.of("model.keras"));
 * Model model = Models.load(Path.of("model.keras"));   // compiled, optimizer state restored
 * NdArray p = model.predict(x);
 * }</pre>
 */
public final class Models {
    private Models() {
    }

    /**
     * Loads a {@code .keras} model: architecture, weights, compile configuration and optimizer state, so
     * {@code fit} resumes where it stopped. User classes must be registered with {@link SerializationRegistry}.
     *
     * @throws KerasFileException if the file is missing, not a zip, truncated, lacks an entry, holds malformed JSON,
     *                            names an unknown class or has weights that do not fit; the message says which
     */
    public static Model load(Path path) {
        return KerasFile.load(path);
    }

    /**
     * Saves {@code model} as a {@code .keras} file.
     *
     * @throws IllegalArgumentException if the name does not end in {@code .keras}
     * @throws UncheckedIOException     if the file cannot be written
     */
    public static void save(Model model, Path path) {
        if (!path.getFileName().toString().endsWith(".keras")) {
            throw new IllegalArgumentException("The filename must end in `.keras`. Received: filepath=" + path);
        }
        try {
            KerasFile.save(model, path);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot save model '" + model.name() + "' to " + path + ": " + e, e);
        }
    }

    /**
     * Saves the weights (and optimizer state) as Keras's {@code save_weights} does.
     *
     * @throws IllegalArgumentException if the name does not end in {@code .weights.h5}
     */
    public static void saveWeights(Model model, Path path) {
        if (!path.getFileName().toString().endsWith(".weights.h5")) {
            throw new IllegalArgumentException("The filename must end in `.weights.h5`. Received: filepath=" + path);
        }
        try {
            Path dir = path.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Files.write(path, KerasFile.h5Bytes(H5Weights.save(model)));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot save weights of model '" + model.name() + "' to " + path + ": " + e,
                    e);
        }
    }

    /**
     * Loads weights (and optimizer state, when saved and the model is compiled) from a {@code .weights.h5} file, or
     * from the weights inside a {@code .keras} file.
     *
     * @throws KerasFileException if the file is unreadable or a weight does not fit the model
     */
    public static void loadWeights(Model model, Path path) {
        if (path.getFileName().toString().endsWith(".keras")) {
            KerasFile.Contents c = KerasFile.read(path);
            H5Weights.load(model, H5Io.read(c.weights(), path, KerasFile.WEIGHTS), path, KerasFile.WEIGHTS);
            return;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new KerasFileException(path, null, "no such file");
        } catch (IOException e) {
            throw new KerasFileException(path, null, "cannot read: " + e, e);
        }
        H5Weights.load(model, H5Io.read(bytes, path, null), path, null);
    }
}
