package io.sparkkeras.saving;

import io.sparkkeras.models.Model;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5: a few hundred damaged copies of the fixture (truncated, bytes flipped, entries dropped or mangled) either
 * load or fail with a {@link KerasFileException} naming the file; nothing else escapes, nothing hangs. Every case
 * runs (about 12 s here); the class timeout is what catches a hang, not a time budget, so a slower machine runs the
 * same cases.
 */
@Tag("torch")
@Timeout(90)
class KerasFileFuzzTest {
    @Test
    void damagedCopiesFailOnlyWithClearErrors(@TempDir Path dir) throws Exception {
        byte[] original = Files.readAllBytes(Fixtures.fashionMnistCnn());
        Map<String, byte[]> entries = ZipEntries.read(Fixtures.fashionMnistCnn());
        int configAt = indexOf(original, entries.get("config.json"));
        int h5At = indexOf(original, Arrays.copyOf(entries.get("model.weights.h5"), 64));
        Random r = new Random(20260215L);

        List<Map.Entry<String, Supplier<byte[]>>> cases = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            int n = r.nextInt(original.length);
            cases.add(Map.entry("truncated to " + n + " bytes", () -> Arrays.copyOf(original, n)));
        }
        int[][] regions = {{0, 200}, {configAt, configAt + 5953}, {h5At, h5At + 8192},
                {original.length - 400, original.length}, {0, original.length}};
        for (int i = 0; i < 180; i++) {
            int[] reg = regions[i % regions.length];
            int flips = 1 + r.nextInt(8);
            long seed = r.nextLong();
            cases.add(Map.entry(flips + " bytes flipped in [" + reg[0] + ", " + reg[1] + ") seed " + seed, () -> {
                Random f = new Random(seed);
                byte[] b = original.clone();
                for (int k = 0; k < flips; k++) {
                    int at = reg[0] + f.nextInt(reg[1] - reg[0]);
                    b[at] ^= (byte) (1 << f.nextInt(8));
                }
                return b;
            }));
        }
        List<String> names = List.copyOf(entries.keySet());
        for (int mask = 0; mask < 7; mask++) {
            int m = mask;
            cases.add(Map.entry("entries kept by mask " + m, () -> zip(entries, e -> {
                for (int i = 0; i < names.size(); i++) {
                    if ((m & (1 << i)) == 0) {
                        e.remove(names.get(i));
                    }
                }
            })));
        }
        for (int i = 0; i < 60; i++) {
            long seed = r.nextLong();
            String which = i % 2 == 0 ? "config.json" : "model.weights.h5";
            cases.add(Map.entry("entry " + which + " mangled, seed " + seed, () -> zip(entries, e -> {
                Random f = new Random(seed);
                byte[] b = e.get(which);
                switch (f.nextInt(3)) {
                    case 0 -> e.put(which, Arrays.copyOf(b, f.nextInt(b.length)));
                    case 1 -> {
                        byte[] c = b.clone();
                        int span = which.equals("config.json") ? c.length : Math.min(c.length, 6000);
                        for (int k = 0; k < 1 + f.nextInt(6); k++) {
                            c[f.nextInt(span)] = (byte) f.nextInt(256);
                        }
                        e.put(which, c);
                    }
                    default -> {
                        int from = f.nextInt(b.length);
                        int to = Math.min(b.length, from + 1 + f.nextInt(64));
                        byte[] c = new byte[b.length - (to - from)];
                        System.arraycopy(b, 0, c, 0, from);
                        System.arraycopy(b, to, c, from, b.length - to);
                        e.put(which, c);
                    }
                }
            })));
        }

        long start = System.nanoTime();
        int run = 0;
        int loaded = 0;
        Map<String, Integer> messages = new LinkedHashMap<>();
        List<String> escaped = new ArrayList<>();
        for (Map.Entry<String, Supplier<byte[]>> c : cases) {
            Path p = Files.write(dir.resolve("fuzz-" + run + ".keras"), c.getValue().get());
            run++;
            try (Model m = Models.load(p)) {
                loaded++;
            } catch (KerasFileException e) {
                if (e.getMessage() == null || !e.getMessage().contains(p.getFileName().toString())) {
                    escaped.add(c.getKey() + ": message does not name the file: " + e.getMessage());
                }
                String kind = e.getMessage().replaceAll("^'[^']*'(, )?", "").replaceAll("\\d+", "N");
                messages.merge(kind.length() > 48 ? kind.substring(0, 48) : kind, 1, Integer::sum);
            } catch (Throwable t) {
                StringWriter w = new StringWriter();
                t.printStackTrace(new PrintWriter(w));
                escaped.add(c.getKey() + ": " + w.toString().lines().limit(8).reduce("", (a, b) -> a + "\n" + b));
            } finally {
                Files.deleteIfExists(p);
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.println("fuzz: " + run + " of " + cases.size() + " cases in " + ms + " ms, " + loaded
                + " loaded; messages: " + messages);
        assertTrue(escaped.isEmpty(), escaped.size() + " cases escaped: " + String.join("\n", escaped.subList(0,
                Math.min(5, escaped.size()))));
        assertTrue(run >= 200, "only " + run + " cases were generated");
    }

    private interface Edit {
        void apply(Map<String, byte[]> entries);
    }

    private static byte[] zip(Map<String, byte[]> entries, Edit edit) {
        Map<String, byte[]> e = new LinkedHashMap<>(entries);
        edit.apply(e);
        try {
            return ZipEntries.zip(e);
        } catch (java.io.IOException x) {
            throw new java.io.UncheckedIOException(x);
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("entry not found in the archive");
    }
}
