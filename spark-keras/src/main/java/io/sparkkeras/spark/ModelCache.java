package io.sparkkeras.spark;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.models.Model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Models loaded in this JVM for {@link KerasModel#transform}, so an executor loads a model once and reuses it
 * across tasks (not once per task or row). Models are not thread-safe: each concurrent task borrows its own
 * instance, and gives it back when its partition ends; the pool grows to the number of concurrent tasks.
 */
final class ModelCache {
    private static final Map<String, ConcurrentLinkedQueue<Model>> IDLE = new ConcurrentHashMap<>();
    private static final AtomicLong LOADS = new AtomicLong();

    private ModelCache() {
    }

    /** An idle model for {@code key}, or a new one loaded from {@code bytes} under {@code backend}. */
    static Model borrow(String key, String backend, Supplier<byte[]> bytes) {
        Model m = IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).poll();
        if (m != null) {
            return m;
        }
        try (Backends.Selection s = Backends.use(backend)) {
            m = ModelBytes.fromBytes(bytes.get());
        }
        LOADS.incrementAndGet();
        return m;
    }

    /** Returns a borrowed model to the pool. */
    static void giveBack(String key, Model model) {
        IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).offer(model);
    }

    /** Models loaded by this JVM so far (for tests and metrics). */
    static long loads() {
        return LOADS.get();
    }
}
