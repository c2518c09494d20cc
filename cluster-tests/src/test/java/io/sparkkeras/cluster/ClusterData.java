package io.sparkkeras.cluster;

import io.sparkkeras.datasets.FashionMnist;
import io.sparkkeras.examples.FashionMnistParquet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fashion-MNIST as the Parquet files {@code FashionMnistJob} reads, written once per size under {@code target/}. */
final class ClusterData {
    private ClusterData() {
    }

    /**
     * The folder holding {@code train/} (the first {@code trainRows} training images) and {@code test/} (all 10,000
     * test images), written from the IDX files on first use.
     */
    static synchronized Path fashionMnist(int trainRows) throws IOException {
        assertTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR),
                "Fashion-MNIST not found: apt-get install dataset-fashion-mnist");
        Path root = Path.of(System.getProperty("cluster.data.dir", "target/fashion-mnist-parquet"));
        Path dir = root.resolve("train-" + trainRows).toAbsolutePath();
        Path done = dir.resolve("_DONE");
        if (!Files.exists(done)) {
            FashionMnistParquet.write(FashionMnist.DEFAULT_DIR, dir, trainRows, Integer.MAX_VALUE);
            Files.createFile(done);
        }
        return dir;
    }
}
