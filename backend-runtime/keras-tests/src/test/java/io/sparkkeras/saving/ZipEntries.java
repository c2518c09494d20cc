package io.sparkkeras.saving;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Copies of the fixture with entries edited, dropped or added, for error and fuzz tests. */
final class ZipEntries {
    private ZipEntries() {
    }

    static Map<String, byte[]> read(Path keras) throws IOException {
        Map<String, byte[]> r = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(keras.toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                r.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
        }
        return r;
    }

    static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(b)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return b.toByteArray();
    }

    static Path write(Path file, Map<String, byte[]> entries) throws IOException {
        return Files.write(file, zip(entries));
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
