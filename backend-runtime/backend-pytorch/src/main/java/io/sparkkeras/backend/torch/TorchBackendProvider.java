package io.sparkkeras.backend.torch;

import io.sparkkeras.backend.Backend;
import io.sparkkeras.backend.BackendProvider;

/** Registers the {@code "torch"} backend with {@link java.util.ServiceLoader}. */
public final class TorchBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "torch";
    }

    @Override
    public Backend create() {
        return new TorchBackend();
    }
}
