package io.sparkkeras.saving;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the files saved by Python Keras in {@code shared/fixtures/}, beside the repository. */
final class Fixtures {
    private Fixtures() {
    }

    /** {@code <repo>/../shared/fixtures/<name>}, found by walking up from the working directory. */
    static Path fixture(String name) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("shared").resolve("fixtures").resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalStateException("Fixture " + name + " not found in shared/fixtures/ above "
                + Path.of("").toAbsolutePath() + "; CI clones the repository with shared/ beside it");
    }

    static Path fashionMnistCnn() {
        return fixture("fashion-mnist-cnn.keras");
    }
}
