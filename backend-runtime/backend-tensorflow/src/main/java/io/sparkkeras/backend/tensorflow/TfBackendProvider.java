package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.Backend;
import io.sparkkeras.backend.BackendProvider;

/** Registers the {@code "tensorflow"} backend with {@link java.util.ServiceLoader}. */
public final class TfBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "tensorflow";
    }

    @Override
    public Backend create() {
        return new TfBackend();
    }
}
