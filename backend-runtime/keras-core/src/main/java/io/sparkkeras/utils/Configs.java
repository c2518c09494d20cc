package io.sparkkeras.utils;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Helpers for Keras configs: ordered {@code Map<String, Object>}s that Jackson writes as Keras writes its JSON, and
 * typed reads that name the key when a value is missing or of the wrong type.
 */
public final class Configs {
    private Configs() {
    }

    /** A new ordered map of {@code base} then {@code extra} (later keys win), as {@code {**base, **extra}}. */
    public static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> extra) {
        Map<String, Object> r = new LinkedHashMap<>(base);
        r.putAll(extra);
        return r;
    }

    /** An ordered map from alternating keys and values (values may be null). */
    public static Map<String, Object> of(Object... kv) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            r.put((String) kv[i], kv[i + 1]);
        }
        return r;
    }

    /** Keras's serialized object form: {@code module}, {@code class_name}, {@code config}, {@code registered_name}. */
    public static Map<String, Object> serialized(String module, String className, Map<String, Object> config) {
        return of("module", module, "class_name", className, "config", config, "registered_name", null);
    }

    private static Object require(Map<String, Object> c, String key) {
        if (!c.containsKey(key)) {
            throw new IllegalArgumentException("Config is missing the key `" + key + "`. Received keys: " + c.keySet());
        }
        return c.get(key);
    }

    public static int getInt(Map<String, Object> c, String key) {
        Object v = require(c, key);
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException("Config key `" + key + "` must be a number. Received: " + v);
        }
        return ((Number) v).intValue();
    }

    public static int getInt(Map<String, Object> c, String key, int dflt) {
        return c.get(key) == null ? dflt : getInt(c, key);
    }

    public static double getDouble(Map<String, Object> c, String key) {
        Object v = require(c, key);
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException("Config key `" + key + "` must be a number. Received: " + v);
        }
        return ((Number) v).doubleValue();
    }

    public static double getDouble(Map<String, Object> c, String key, double dflt) {
        return c.get(key) == null ? dflt : getDouble(c, key);
    }

    public static Long getLongOrNull(Map<String, Object> c, String key) {
        Object v = c.get(key);
        return v == null ? null : ((Number) v).longValue();
    }

    public static boolean getBoolean(Map<String, Object> c, String key, boolean dflt) {
        Object v = c.get(key);
        return v == null ? dflt : (Boolean) v;
    }

    public static String getString(Map<String, Object> c, String key, String dflt) {
        Object v = c.get(key);
        return v == null ? dflt : v.toString();
    }

    /** An int tuple: a JSON list, or a single number repeated {@code n} times. */
    public static int[] getInts(Map<String, Object> c, String key, int n) {
        Object v = require(c, key);
        return toInts(key, v, n);
    }

    /** An int tuple from a list or a number repeated {@code n} times. */
    public static int[] toInts(String key, Object v, int n) {
        if (v instanceof Number num) {
            int[] r = new int[n];
            java.util.Arrays.fill(r, num.intValue());
            return r;
        }
        if (v instanceof List<?> l) {
            int[] r = new int[l.size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = ((Number) l.get(i)).intValue();
            }
            return r;
        }
        if (v instanceof int[] a) {
            return a.clone();
        }
        throw new IllegalArgumentException("Config key `" + key + "` must be an int or a list of ints. Received: " + v);
    }

    /** An int array as a JSON list. */
    public static List<Integer> list(int[] a) {
        List<Integer> r = new ArrayList<>(a.length);
        for (int x : a) {
            r.add(x);
        }
        return r;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> getMap(Map<String, Object> c, String key) {
        Object v = c.get(key);
        return v == null ? null : (Map<String, Object>) v;
    }

    /** Keras's auto-name for a class: {@code Conv2D} becomes {@code conv2d}, {@code MaxPooling2D} max_pooling2d. */
    public static String snakeCase(String className) {
        String s = className.replaceAll("([A-Z]+)([A-Z][a-z])", "$1_$2").replaceAll("([a-z])([A-Z])", "$1_$2");
        return s.toLowerCase(java.util.Locale.ROOT);
    }
}
