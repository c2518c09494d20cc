package io.sparkkeras.saving;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * User classes that {@code .keras} files may name: Keras's {@code @register_keras_serializable} and
 * {@code custom_objects}. A registered class is written with {@code "registered_name": "<package>><name>"} and is
 * rebuilt by its {@code fromConfig} when a file names it (by registered name, or by class name when the file comes
 * from code that registered it differently).
 *
 * <pre>{@code
 * SerializationRegistry.register(Scale.class);                             // reads @KerasSerializable
 * SerializationRegistry.register("MyLayers", "Scale", Scale.class, Scale::fromConfig);
 * Model model = Models.load(Path.of("model.keras"));
 * }</pre>
 *
 * <p>Thread-safe: register at start-up, from any thread.
 */
public final class SerializationRegistry {
    /** A registered class and how to rebuild it. */
    record Entry(String registeredName, Class<?> type, Function<Map<String, Object>, ?> fromConfig) {
    }

    private static final Map<String, Entry> BY_REGISTERED_NAME = new ConcurrentHashMap<>();
    private static final Map<String, Entry> BY_CLASS_NAME = new ConcurrentHashMap<>();
    private static final Map<Class<?>, Entry> BY_CLASS = new ConcurrentHashMap<>();

    private SerializationRegistry() {
    }

    /**
     * Registers {@code type} under its {@link KerasSerializable} names (or {@code "Custom>SimpleName"} without the
     * annotation), rebuilt by its public static {@code fromConfig(Map)}.
     *
     * @throws IllegalArgumentException if the class has no such method
     */
    @SuppressWarnings("unchecked")
    public static void register(Class<?> type) {
        KerasSerializable a = type.getAnnotation(KerasSerializable.class);
        String pkg = a == null ? "Custom" : a.packageName();
        String name = a == null || a.name().isEmpty() ? type.getSimpleName() : a.name();
        Method m;
        try {
            m = type.getMethod("fromConfig", Map.class);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("Received an invalid value for `type`, expected a class with a public "
                    + "static fromConfig(Map<String, Object>) method. Received: type=" + type.getName(), e);
        }
        if (!Modifier.isStatic(m.getModifiers()) || !type.isAssignableFrom(m.getReturnType())) {
            throw new IllegalArgumentException("Received an invalid value for `type`: " + type.getName()
                    + ".fromConfig(Map) must be static and return a " + type.getSimpleName());
        }
        register(pkg, name, (Class<Object>) type, c -> invoke(m, c));
    }

    private static Object invoke(Method m, Map<String, Object> config) {
        try {
            return m.invoke(null, config);
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalArgumentException(m.getDeclaringClass().getSimpleName() + ".fromConfig failed: " + t, t);
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException("Cannot call " + m + ": " + e.getMessage(), e);
        }
    }

    /**
     * Registers {@code type} as {@code "<packageName>><name>"}.
     *
     * @param fromConfig rebuilds an instance from the config its {@code getConfig()} wrote
     */
    public static <T> void register(String packageName, String name, Class<T> type,
            Function<Map<String, Object>, ? extends T> fromConfig) {
        if (packageName == null || packageName.isEmpty() || packageName.contains(">")) {
            throw new IllegalArgumentException("Received an invalid value for `packageName`, expected a non-empty "
                    + "name without '>'. Received: packageName=" + packageName);
        }
        String n = name == null || name.isEmpty() ? type.getSimpleName() : name;
        Entry e = new Entry(packageName + ">" + n, type, fromConfig);
        BY_REGISTERED_NAME.put(e.registeredName(), e);
        BY_CLASS_NAME.put(n, e);
        BY_CLASS.put(type, e);
    }

    /** Removes a registration (tests, plugins being unloaded). */
    public static void unregister(Class<?> type) {
        Entry e = BY_CLASS.remove(type);
        if (e != null) {
            BY_REGISTERED_NAME.remove(e.registeredName());
            BY_CLASS_NAME.values().remove(e);
        }
    }

    /** The registered name of {@code type} ({@code "MyLayers>Scale"}), or {@code null} if it is not registered. */
    public static String registeredName(Class<?> type) {
        Entry e = BY_CLASS.get(type);
        return e == null ? null : e.registeredName();
    }

    /** Every registered name, sorted, for error messages. */
    public static List<String> registeredNames() {
        return List.copyOf(new TreeSet<>(BY_REGISTERED_NAME.keySet()));
    }

    /** The entry for a file's {@code registered_name}, else its {@code class_name}; {@code null} if neither is known. */
    static Entry lookup(Object registeredName, Object className) {
        Entry e = registeredName instanceof String r ? BY_REGISTERED_NAME.get(r) : null;
        if (e == null && className instanceof String c) {
            e = BY_REGISTERED_NAME.get(c);
            if (e == null) {
                e = BY_CLASS_NAME.get(c);
            }
        }
        return e;
    }

    static Entry entryOf(Class<?> type) {
        return BY_CLASS.get(type);
    }
}
