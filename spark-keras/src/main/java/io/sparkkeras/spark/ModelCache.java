package io.sparkkeras.spark;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.models.Model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Models loaded in this JVM for {@link KerasModel#transform}, so an executor loads a model once and reuses it
 * across tasks (not once per task or row). Models are not thread-safe: each concurrent task borrows its own
 * instance, and gives it back when its partition ends; a model's pool grows to the number of concurrent tasks.
 *
 * <p>Each loaded model holds native memory, and a long-lived JVM (a notebook's driver, an executor serving a
 * {@code CrossValidator}) meets many models: only the {@value #DEFAULT_MAX_MODELS} most recently used ones
 * ({@code -Dsparkkeras.modelCache.maxModels=N}, on executors {@code --conf spark.keras.modelCache.maxModels=N}) keep
 * their idle copies; the others' are closed, and a copy given back for a model no longer kept is closed rather than
 * pooled.
 *
 * <pre>{@code
 * Model m = ModelCache.borrow(key, "torch", bytes::value);
 * try { m.predictOnBatch(x); } finally { ModelCache.giveBack(key, m); }
 * }</pre>
 */
final class ModelCache {
    static final int DEFAULT_MAX_MODELS = 4;
    static final String MAX_MODELS_PROPERTY = "sparkkeras.modelCache.maxModels";

    /** Idle copies per model key, least recently used first. Guarded by the class lock. */
    private static final LinkedHashMap<String, ArrayDeque<Model>> IDLE = new LinkedHashMap<>(16, 0.75f, true);
    private static final AtomicLong LOADS = new AtomicLong();

    private ModelCache() {
    }

    /** An idle model for {@code key}, or a new one loaded from {@code bytes} under {@code backend}. */
    static Model borrow(String key, String backend, Supplier<byte[]> bytes) {
        List<Model> evicted;
        synchronized (ModelCache.class) {
            ArrayDeque<Model> idle = IDLE.get(key);
            Model m = idle == null ? null : idle.poll();
            if (m != null) {
                return m;
            }
            IDLE.computeIfAbsent(key, k -> new ArrayDeque<>());
            evicted = evictBeyondLimit(key);
        }
        closeAll(evicted);
        // Loading takes long (a .keras file, native weights): outside the lock, so other models' tasks go on.
        Model m;
        try (Backends.Selection s = Backends.use(backend)) {
            m = ModelBytes.fromBytes(bytes.get());
        }
        LOADS.incrementAndGet();
        return m;
    }

    /** Returns a borrowed model to its pool, or closes it when its model is no longer kept. */
    static void giveBack(String key, Model model) {
        List<Model> evicted;
        synchronized (ModelCache.class) {
            ArrayDeque<Model> idle = IDLE.get(key);
            if (idle != null) {
                idle.offer(model);
                return;
            }
            evicted = List.of(model);
        }
        closeAll(evicted);
    }

    /** Models loaded by this JVM so far (for tests and metrics). */
    static long loads() {
        return LOADS.get();
    }

    /** Drops the least recently used keys beyond the limit (never {@code keep}); returns their idle models. */
    private static List<Model> evictBeyondLimit(String keep) {
        int max = Math.max(1, Integer.getInteger(MAX_MODELS_PROPERTY, DEFAULT_MAX_MODELS));
        List<Model> evicted = new ArrayList<>();
        Iterator<Map.Entry<String, ArrayDeque<Model>>> it = IDLE.entrySet().iterator();
        while (IDLE.size() > max && it.hasNext()) {
            Map.Entry<String, ArrayDeque<Model>> e = it.next();
            if (!e.getKey().equals(keep)) {
                evicted.addAll(e.getValue());
                it.remove();
            }
        }
        return evicted;
    }

    private static void closeAll(List<Model> models) {
        for (Model m : models) {
            m.close();
        }
    }
}
