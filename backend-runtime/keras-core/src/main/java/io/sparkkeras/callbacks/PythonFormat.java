package io.sparkkeras.callbacks;

import java.util.Locale;
import java.util.Map;

/**
 * The subset of Python's {@code str.format} that checkpoint paths use: {@code {name}} and {@code {name:spec}} with
 * a spec such as {@code 02d}, {@code .2f}, {@code .3e} or {@code 03}; {@code {{} and {@code }}} escape braces.
 */
final class PythonFormat {
    private PythonFormat() {
    }

    static String format(String pattern, Map<String, Object> values) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c == '{' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '{') {
                out.append('{');
                i += 2;
            } else if (c == '}' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '}') {
                out.append('}');
                i += 2;
            } else if (c == '{') {
                int end = pattern.indexOf('}', i);
                if (end < 0) {
                    throw new IllegalArgumentException("Failed to format this callback filepath: \"" + pattern
                            + "\". Reason: Single '{' encountered in format string");
                }
                String field = pattern.substring(i + 1, end);
                int colon = field.indexOf(':');
                String name = colon < 0 ? field : field.substring(0, colon);
                String spec = colon < 0 ? "" : field.substring(colon + 1);
                if (!values.containsKey(name)) {
                    throw new IllegalArgumentException("Failed to format this callback filepath: \"" + pattern
                            + "\". Reason: KeyError '" + name + "'. Available keys: " + values.keySet());
                }
                out.append(formatValue(values.get(name), spec, pattern));
                i = end + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static String formatValue(Object v, String spec, String pattern) {
        if (spec.isEmpty()) {
            return v instanceof Double d ? CSVLogger.pythonRepr(d) : String.valueOf(v);
        }
        char type = spec.charAt(spec.length() - 1);
        String javaSpec;
        Object arg = v;
        if (type == 'd') {
            if (!(v instanceof Integer || v instanceof Long)) {
                throw new IllegalArgumentException("Failed to format this callback filepath: \"" + pattern
                        + "\". Reason: Unknown format code 'd' for object of type 'float'");
            }
            javaSpec = spec;
        } else if ("fFeEgG%".indexOf(type) >= 0) {
            arg = ((Number) v).doubleValue();
            javaSpec = type == '%' ? spec.substring(0, spec.length() - 1) + "f" : spec;
            if (type == '%') {
                arg = (Double) arg * 100;
            }
        } else if (Character.isDigit(type)) {
            // A bare width such as {epoch:03}: Python right-aligns numbers.
            javaSpec = spec + (v instanceof Integer || v instanceof Long ? "d" : "s");
            if (!(v instanceof Integer || v instanceof Long)) {
                arg = v instanceof Double d ? CSVLogger.pythonRepr(d) : String.valueOf(v);
            }
        } else {
            throw new IllegalArgumentException("Failed to format this callback filepath: \"" + pattern
                    + "\". Reason: unsupported format spec '" + spec + "'");
        }
        String s = String.format(Locale.ROOT, "%" + javaSpec, arg);
        return type == '%' ? s + "%" : s;
    }
}
