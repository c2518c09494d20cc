package io.sparkkeras.callbacks;

import java.io.IOException;
import java.nio.file.Path;

/** Writes a {@link History} as a PNG chart. */
final class HistoryPlot {
    private HistoryPlot() {
    }

    static void write(History h, Path png) throws IOException {
        throw new UnsupportedOperationException("History.plot is not implemented yet");
    }
}
