package io.sparkkeras.backend;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds and selects backends, as Keras 3 does: the {@code KERAS_BACKEND} system property, then the
 * {@code KERAS_BACKEND} environment variable, then {@code "backend"} in {@code ~/.keras/keras.json}, then the
 * first backend on the classpath ({@code "torch"} before {@code "tensorflow"}). Code may override per thread with
 * {@link #use(String)}.
 *
 * <pre>{@code
 * // java -DKERAS_BACKEND=torch ...
 * Backend b = Backends.current();
 * try (Backends.Selection s = Backends.use("tensorflow")) { ... }   // this thread only
 * }</pre>
 */
public final class Backends {
    private static final Map<String, Backend> LOADED = new ConcurrentHashMap<>();
    private static final ThreadLocal<Backend> OVERRIDE = new ThreadLocal<>();
    private static volatile Backend defaultBackend;

    private Backends() {
    }

    /** The backend for this thread. */
    public static Backend current() {
        Backend b = OVERRIDE.get();
        if (b != null) {
            return b;
        }
        b = defaultBackend;
        if (b == null) {
            synchronized (Backends.class) {
                if (defaultBackend == null) {
                    defaultBackend = get(configuredName());
                }
                b = defaultBackend;
            }
        }
        return b;
    }

    /**
     * The backend called {@code name} ({@code "torch"}, {@code "pytorch"} or {@code "tensorflow"}).
     *
     * @throws IllegalArgumentException naming the backends on the classpath
     */
    public static Backend get(String name) {
        String n = normalize(name);
        Backend b = LOADED.get(n);
        if (b != null) {
            return b;
        }
        synchronized (Backends.class) {
            for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
                if (p.name().equals(n)) {
                    b = LOADED.computeIfAbsent(n, k -> p.create());
                    return b;
                }
            }
        }
        throw new IllegalArgumentException("Received an invalid value for `backend`, expected one of "
                + available() + " (the backends on the classpath). Received: backend=" + name);
    }

    /** Names of the backends on the classpath. */
    public static List<String> available() {
        List<String> names = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            names.add(p.name());
        }
        return names;
    }

    /**
     * The name of this thread's backend, without loading it: the thread's selection ({@link #use}), else the
     * process-wide default ({@link #setDefault}), else the configured one ({@code KERAS_BACKEND},
     * {@code ~/.keras/keras.json}, the first on the classpath). What a component that runs elsewhere (a Spark
     * executor) should default to.
     *
     * <pre>{@code
     * // java -DKERAS_BACKEND=tensorflow ...
     * Backends.currentName();   // "tensorflow"
     * }</pre>
     */
    public static String currentName() {
        Backend b = OVERRIDE.get();
        if (b == null) {
            b = defaultBackend;
        }
        return b != null ? b.name() : normalize(configuredName());
    }

    /**
     * The Keras name of the backend called {@code name} (any name {@link #get} takes, in any case: {@code "pytorch"}
     * is {@code "torch"}, {@code "tf"} is {@code "tensorflow"}), without loading it: for checking a name on a
     * machine that hands it to others (a Spark driver sending it to its executors).
     *
     * <pre>{@code
     * Backends.canonicalName("PyTorch");   // "torch"
     * Backends.canonicalName("tensorflw"); // IllegalArgumentException naming torch and tensorflow
     * }</pre>
     *
     * @throws IllegalArgumentException naming the backends this project ships and those on the classpath
     */
    public static String canonicalName(String name) {
        if (name != null && !name.isBlank()) {
            String n = normalize(name);
            if (n.equals("torch") || n.equals("tensorflow") || available().contains(n)) {
                return n;
            }
        }
        Set<String> known = new LinkedHashSet<>(List.of("torch", "tensorflow"));
        known.addAll(available());
        throw new IllegalArgumentException("Received an invalid value for `backend`, expected one of " + known
                + " (or the aliases pytorch, tf). Received: backend=" + (name == null ? "null" : "\"" + name + "\""));
    }

    /** Sets the process-wide default backend. */
    public static void setDefault(String name) {
        defaultBackend = get(name);
    }

    /** Makes {@code name} this thread's backend until the returned selection closes. */
    public static Selection use(String name) {
        Backend previous = OVERRIDE.get();
        OVERRIDE.set(get(name));
        return new Selection(previous);
    }

    /** The name configuration asks for, or the first available. */
    static String configuredName() {
        String n = System.getProperty("KERAS_BACKEND");
        if (n == null || n.isBlank()) {
            n = System.getenv("KERAS_BACKEND");
        }
        if (n == null || n.isBlank()) {
            n = fromKerasJson();
        }
        if (n == null || n.isBlank()) {
            List<String> names = available();
            if (names.isEmpty()) {
                throw new IllegalStateException("No Keras backend on the classpath: add io.sparkkeras:backend-pytorch "
                        + "(or backend-tensorflow) as a dependency");
            }
            n = names.contains("torch") ? "torch" : names.get(0);
        }
        return n;
    }

    private static String fromKerasJson() {
        String home = System.getenv("KERAS_HOME");
        Path file = home != null ? Path.of(home, "keras.json")
                : Path.of(System.getProperty("user.home"), ".keras", "keras.json");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            Object b = new ObjectMapper().readValue(file.toFile(), Map.class).get("backend");
            return b == null ? null : b.toString();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String normalize(String name) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (n) {
            case "pytorch" -> "torch";
            case "tf" -> "tensorflow";
            default -> n;
        };
    }

    /** Restores the thread's previous backend when closed. */
    public static final class Selection implements AutoCloseable {
        private final Backend previous;

        private Selection(Backend previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            if (previous == null) {
                OVERRIDE.remove();
            } else {
                OVERRIDE.set(previous);
            }
        }
    }
}
