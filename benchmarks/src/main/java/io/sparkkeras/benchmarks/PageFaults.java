package io.sparkkeras.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's minor page faults so far, from {@code /proc/self/stat}: memory the kernel had to hand out (and zero)
 * again. A training step that frees and reallocates its large tensors through malloc pays one per 4 KiB page each
 * step unless malloc keeps the memory (see the root README, "Native memory").
 *
 * <pre>{@code
 * long f0 = PageFaults.minor();
 * model.fit(x, y, options);
 * long perStep = PageFaults.perStep(f0, PageFaults.minor(), steps);
 * }</pre>
 */
final class PageFaults {
    private PageFaults() {
    }

    /** Minor faults of this process so far, or -1 where {@code /proc} is not there. */
    static long minor() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[7]);   // field 10, minflt
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Faults per step between two readings, or -1 if either is unknown. */
    static long perStep(long before, long after, long steps) {
        return before < 0 || after < 0 ? -1 : (after - before) / Math.max(1, steps);
    }
}
