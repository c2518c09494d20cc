package io.sparkkeras.examples;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options of one of our command-line tools: {@code --key value} pairs, typed reads, and on bad input a message
 * naming the option, the usage, and exit status 2.
 *
 * <pre>{@code
 * CommandLine opts = CommandLine.parse("fashion-mnist", USAGE, args);
 * int epochs = opts.intOpt("epochs", 10);
 * }</pre>
 */
final class CommandLine {
    private final String tool;
    private final String usage;
    private final Map<String, String> values;

    private CommandLine(String tool, String usage, Map<String, String> values) {
        this.tool = tool;
        this.usage = usage;
        this.values = values;
    }

    /** Reads {@code --key value} pairs; {@code -h}/{@code --help} prints the usage and exits 0. */
    static CommandLine parse(String tool, String usage, String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.print(usage);
                System.exit(0);
            }
            if (!a.startsWith("--") || i + 1 >= args.length) {
                fail(tool, usage, "Unexpected argument '" + a + "'");
            }
            m.put(a.substring(2), args[++i]);
        }
        return new CommandLine(tool, usage, m);
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    /** The value of {@code --key}, or {@code null}. */
    String get(String key) {
        return values.get(key);
    }

    String get(String key, String dflt) {
        return values.getOrDefault(key, dflt);
    }

    int intOpt(String key, int dflt) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            fail(tool, usage, "--" + key + " expects an integer; received '" + v + "'");
            return dflt;
        }
    }

    /** Prints {@code tool: message} and the usage to stderr, then exits with status 2. */
    static void fail(String tool, String usage, String message) {
        System.err.println(tool + ": " + message);
        System.err.print(usage);
        System.exit(2);
    }
}
