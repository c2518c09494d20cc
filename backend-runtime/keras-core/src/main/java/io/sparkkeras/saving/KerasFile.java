package io.sparkkeras.saving;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.sparkkeras.models.Model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Keras 3's {@code .keras} archive ({@code saving_lib.py}): a zip, entries stored uncompressed, of
 * {@code metadata.json} ({@code keras_version}, {@code date_saved}), {@code config.json} (the model serialized with
 * its {@code compile_config}) and {@code model.weights.h5} (see {@link H5Weights}).
 *
 * <p>Files are written as Keras 3.10 writes them, so Python Keras 3 loads them; any file Keras 3 writes for the
 * supported layers loads here. Reading never trusts the file: every failure is a {@link KerasFileException} naming
 * the entry and what is wrong.
 */
public final class KerasFile {
    /** The Keras version whose format is written. */
    public static final String KERAS_VERSION = "3.10.0";
    public static final String CONFIG = "config.json";
    public static final String METADATA = "metadata.json";
    public static final String WEIGHTS = "model.weights.h5";

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .build();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd@HH:mm:ss");

    private KerasFile() {
    }

    // ---- writing

    /** Writes {@code model} to {@code path}; the file is replaced only once the new one is complete. */
    static void save(Model model, Path path) throws IOException {
        byte[] config = JSON.writeValueAsBytes(Serialization.serializeModel(model));
        byte[] metadata = JSON.writeValueAsBytes(io.sparkkeras.utils.Configs.of("keras_version", KERAS_VERSION,
                "date_saved", LocalDateTime.now().format(DATE)));
        byte[] weights = h5Bytes(H5Weights.save(model));
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".tmp-", ".keras");
        try {
            try (OutputStream out = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(out)) {
                stored(zip, METADATA, metadata);
                stored(zip, CONFIG, config);
                stored(zip, WEIGHTS, weights);
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The bytes of an HDF5 file holding {@code root}. */
    static byte[] h5Bytes(H5Group root) throws IOException {
        Path tmp = Files.createTempFile("spark-keras-", ".h5");
        try {
            H5Io.write(root, tmp);
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    // ---- reading

    /** The three entries of a {@code .keras} file, checked. */
    record Contents(Map<String, Object> config, Map<String, Object> metadata, byte[] weights) {
    }

    /** Reads and checks the archive: a zip, with parseable {@code config.json} and a {@code model.weights.h5}. */
    static Contents read(Path path) {
        try (ZipFile zip = new ZipFile(path.toFile())) {
            Map<String, Object> config = json(path, CONFIG, entry(zip, path, CONFIG, true));
            byte[] meta = entry(zip, path, METADATA, false);
            Map<String, Object> metadata = meta == null ? Map.of() : json(path, METADATA, meta);
            byte[] weights = entry(zip, path, WEIGHTS, true);
            return new Contents(config, metadata, weights);
        } catch (NoSuchFileException e) {
            throw new KerasFileException(path, null, "no such file");
        } catch (AccessDeniedException e) {
            throw new KerasFileException(path, null, "permission denied");
        } catch (ZipException e) {
            throw new KerasFileException(path, null, "not a zip archive, or truncated (" + e.getMessage() + "). A .keras "
                    + "file is a zip of " + METADATA + ", " + CONFIG + " and " + WEIGHTS, e);
        } catch (IOException e) {
            throw new KerasFileException(path, null, "cannot read the archive: " + e, e);
        }
    }

    /** Loads a model: config, compile config, weights and optimizer state. */
    static Model load(Path path) {
        Contents c = read(path);
        Model model;
        try {
            model = Serialization.deserializeModel(c.config());
        } catch (KerasFileException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new KerasFileException(path, CONFIG, message(e), e);
        }
        try {
            H5Weights.load(model, H5Io.read(c.weights(), path, WEIGHTS), path, WEIGHTS);
            return model;
        } catch (RuntimeException | Error e) {
            try {
                model.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof KerasFileException k) {
                throw k;
            }
            if (e instanceof Error err && !(err instanceof StackOverflowError)) {
                throw err;
            }
            throw new KerasFileException(path, WEIGHTS, message(e), e);
        }
    }

    private static String message(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static byte[] entry(ZipFile zip, Path path, String name, boolean required) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            if (!required) {
                return null;
            }
            List<String> names = new ArrayList<>();
            for (ZipEntry x : Collections.list(zip.entries())) {
                names.add(x.getName());
            }
            throw new KerasFileException(path, name, "missing entry: the archive holds " + names
                    + (names.contains("model.weights.json") ? " (sharded weights are not supported)" : ""));
        }
        try (InputStream in = zip.getInputStream(e)) {
            return in.readAllBytes();
        } catch (ZipException | java.io.EOFException ex) {
            throw new KerasFileException(path, name, "damaged zip entry (" + ex.getMessage() + ")", ex);
        }
    }

    /** Parses a JSON object, naming the line and column of a syntax error. */
    static Map<String, Object> json(Path path, String entry, byte[] bytes) {
        try {
            Object o = JSON.readValue(bytes, Object.class);
            if (!(o instanceof Map)) {
                throw new KerasFileException(path, entry, "expected a JSON object, but the entry holds "
                        + (o == null ? "null" : "a " + (o instanceof List ? "list" : o.getClass().getSimpleName())));
            }
            return JSON.convertValue(o, MAP);
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            throw new KerasFileException(path, entry, "malformed JSON" + (l == null ? "" : " at line " + l.getLineNr()
                    + ", column " + l.getColumnNr()) + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new KerasFileException(path, entry, "cannot read JSON: " + e, e);
        }
    }

    /** JSON text of a config, as written to {@code config.json}. */
    static byte[] toJson(Object value) throws IOException {
        return JSON.writeValueAsBytes(value);
    }
}
