package io.sparkkeras.backend.torch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * No code of this backend calls a DJL number overload whose scalar autograd keeps ({@code a.div(6f)},
 * {@code mul}, {@code pow}, {@code maximum}, ...): DJL frees that scalar's Java buffer right after the op, and
 * backward then reads whatever reuses the memory (see {@link NumberOperandsTest}). Such a number must be
 * {@code Torch.number(b, like, value)}. Read from the compiled classes (calls and method references), so a number
 * passed as a variable is caught too. Not caught: DJL helpers that use such overloads inside (for example
 * {@code Activation.relu6}); none is used here. Comparisons ({@code gt(Number)}) would be flagged too, conservatively.
 */
class NumberOverloadsGuardTest {
    /**
     * Overloads that stay allowed: add and sub (autograd keeps neither operand) and clip (DJL keeps its bounds in the
     * step's manager until the step's scope closes, after backward; {@link NumberOperandsTest} checks it).
     */
    private static final Set<String> SAFE = Set.of("add", "sub", "addi", "subi", "clip");
    /** A call ({@code Method}, {@code InterfaceMethod}) or a method reference ({@code REF_invoke...}) into DJL. */
    private static final Pattern NUMBER_CALL = Pattern.compile(
            "(?:Method|REF_\\w+) ai/djl/[\\w/$]+\\.(\\w+):\\(([^)]*Ljava/lang/Number;[^)]*)\\)");

    @Test
    void noNumberOverloadAutogradWouldKeep() throws IOException {
        Path classes;
        try {
            classes = Path.of(Torch.class.getResource("Torch.class").toURI()).getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> files;
        try (Stream<Path> s = Files.walk(classes)) {
            files = s.filter(p -> p.toString().endsWith(".class")).map(Path::toString).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no compiled classes under " + classes.toAbsolutePath());
        ToolProvider javap = ToolProvider.findFirst("javap").orElseThrow();
        List<String> found = new ArrayList<>();
        for (String file : files) {
            StringWriter out = new StringWriter();
            int rc = javap.run(new PrintWriter(out), new PrintWriter(out), "-c", "-v", "-p", file);
            assertEquals(0, rc, "javap failed on " + file + ": " + out);
            Matcher m = NUMBER_CALL.matcher(out.toString());
            while (m.find()) {
                if (!SAFE.contains(m.group(1))) {
                    found.add(Path.of(file).getFileName() + " calls " + m.group(1) + "(" + m.group(2) + ")");
                }
            }
        }
        assertEquals(List.of(), found, "DJL number overloads whose scalar autograd keeps: use Torch.number instead");
    }
}
