package io.sparkkeras.saving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkkeras.utils.NdArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Reads the entries of {@code .keras} files and compares them as the issue asks: JSON key by key, HDF5 by tree. */
final class KerasArchives {
    private static final ObjectMapper JSON = new ObjectMapper();

    private KerasArchives() {
    }

    static byte[] entry(Path keras, String name) throws IOException {
        try (ZipFile z = new ZipFile(keras.toFile())) {
            return z.getInputStream(z.getEntry(name)).readAllBytes();
        }
    }

    static List<String> entryNames(Path keras) throws IOException {
        try (ZipFile z = new ZipFile(keras.toFile())) {
            List<String> r = new ArrayList<>();
            z.stream().forEach(e -> r.add(e.getName()));
            return r;
        }
    }

    static JsonNode json(Path keras, String name) throws IOException {
        return JSON.readTree(entry(keras, name));
    }

    static H5Group weights(Path keras) throws IOException {
        return H5Io.read(entry(keras, KerasFile.WEIGHTS), keras, KerasFile.WEIGHTS);
    }

    /** Removes Keras's object ids ({@code shared_object_id}), which differ between saves. */
    static JsonNode withoutObjectIds(JsonNode n) {
        JsonNode c = n.deepCopy();
        strip(c);
        return c;
    }

    private static void strip(JsonNode n) {
        if (n instanceof ObjectNode o) {
            o.remove("shared_object_id");
        }
        for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
            strip(it.next());
        }
    }

    /** Asserts two JSON trees are equal key by key, reporting the first differing path. */
    static void assertJsonEquals(JsonNode expected, JsonNode actual, String path) {
        if (expected.isObject()) {
            assertEquals(fieldNames(expected), fieldNames(actual), "keys at " + path);
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                assertJsonEquals(e.getValue(), actual.get(e.getKey()), path + "." + e.getKey());
            }
        } else if (expected.isArray()) {
            assertEquals(expected.size(), actual.size(), "length at " + path);
            for (int i = 0; i < expected.size(); i++) {
                assertJsonEquals(expected.get(i), actual.get(i), path + "[" + i + "]");
            }
        } else if (expected.isNumber() && actual.isNumber()) {
            assertEquals(expected.isIntegralNumber(), actual.isIntegralNumber(), "number kind at " + path
                    + ": " + expected + " vs " + actual);
            assertEquals(expected.decimalValue().stripTrailingZeros(), actual.decimalValue().stripTrailingZeros(),
                    "value at " + path);
        } else {
            assertEquals(expected, actual, "value at " + path);
        }
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> r = new ArrayList<>();
        n.fieldNames().forEachRemaining(r::add);
        return r;
    }

    /** Same groups, attributes, dataset names, dtypes, shapes and values. */
    static void assertH5Equals(H5Group expected, H5Group actual, String path) {
        assertEquals(expected.attributes(), actual.attributes(), "attributes of " + path);
        assertEquals(new java.util.TreeSet<>(expected.groups().keySet()), new java.util.TreeSet<>(actual.groups()
                .keySet()), "groups of " + path);
        assertEquals(new java.util.TreeSet<>(expected.datasets().keySet()), new java.util.TreeSet<>(actual.datasets()
                .keySet()), "datasets of " + path);
        for (Map.Entry<String, NdArray> d : expected.datasets().entrySet()) {
            NdArray a = actual.datasets().get(d.getKey());
            assertNotNull(a, path + "/" + d.getKey());
            assertEquals(d.getValue().dtype(), a.dtype(), "dtype of " + path + "/" + d.getKey());
            assertEquals(d.getValue().shape(), a.shape(), "shape of " + path + "/" + d.getKey());
            assertArrayEquals(bytes(d.getValue()), bytes(a), "values of " + path + "/" + d.getKey());
        }
        for (Map.Entry<String, H5Group> g : expected.groups().entrySet()) {
            assertH5Equals(g.getValue(), actual.groups().get(g.getKey()), path + "/" + g.getKey());
        }
    }

    static byte[] bytes(NdArray a) {
        java.nio.ByteBuffer b = a.buffer();
        byte[] r = new byte[b.remaining()];
        b.get(r);
        return r;
    }

    static String describe(H5Group g) {
        StringBuilder sb = new StringBuilder();
        describe(g, "", sb);
        return sb.toString();
    }

    private static void describe(H5Group g, String path, StringBuilder sb) {
        for (Map.Entry<String, NdArray> d : g.datasets().entrySet()) {
            sb.append(path).append('/').append(d.getKey()).append(' ').append(d.getValue().shape())
                    .append(Arrays.toString(new Object[] {d.getValue().dtype()})).append('\n');
        }
        for (Map.Entry<String, H5Group> c : g.groups().entrySet()) {
            sb.append(path).append('/').append(c.getKey()).append(c.getValue().attributes()).append('\n');
            describe(c.getValue(), path + "/" + c.getKey(), sb);
        }
    }
}
