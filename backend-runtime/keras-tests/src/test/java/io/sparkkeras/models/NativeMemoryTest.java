package io.sparkkeras.models;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.Scope;
import io.sparkkeras.callbacks.Callback;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One scope per step keeps native memory flat: RSS within 10% from epoch 2 to epoch 10. */
@Tag("torch")
class NativeMemoryTest {

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    @Test
    @Timeout(240)
    void rssStaysFlatAcrossEpochs() throws Exception {
        int n = 8192;
        float[] x = new float[n * 784];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 10;
            for (int j = 0; j < 784; j += 7) {
                x[i * 784 + j] = ((i * 31 + j) % 255) / 255f;
            }
        }
        Sequential model = new Sequential(new Input(784), new Dense(256, "relu"), new Dense(128, "relu"), new Dense(10));
        model.compile(new Adam(1e-3), "sparse_categorical_crossentropy", List.of("accuracy"));
        List<Long> rss = new ArrayList<>();
        Callback probe = new Callback() {
            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs) {
                System.gc();
                try {
                    rss.add(rssKb());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        model.fit(NdArray.of(x, n, 784), NdArray.of(y), new FitOptions().epochs(10).batchSize(128).verbose(0)
                .callbacks(probe));
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int e = 1; e < 10; e++) {
            min = Math.min(min, rss.get(e));
            max = Math.max(max, rss.get(e));
        }
        assertTrue(max <= min * 1.10, "RSS per epoch (KiB) from epoch 2 on should stay within 10%: " + rss);
        try (Scope s = Backends.current().core().newScope()) {
            model.predict(NdArray.of(x, n, 784).rows(0, 256));
            assertEquals(0, s.liveTensors(), "predict leaves no tensors in the caller's scope");
        }
        model.close();
    }
}
