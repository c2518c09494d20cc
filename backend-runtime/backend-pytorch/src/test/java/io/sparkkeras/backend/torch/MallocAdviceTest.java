package io.sparkkeras.backend.torch;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the torch backend advises tuning glibc's malloc, and what it tells the user to set. */
class MallocAdviceTest {
    @Test
    void linuxWithDefaultMallocGetsTheVariableToSet() {
        String advice = MallocAdvice.advice(Map.of("PATH", "/usr/bin"), "Linux");
        assertTrue(advice.contains("GLIBC_TUNABLES=" + MallocAdvice.TUNABLES), advice);
        assertTrue(advice.contains("spark.executorEnv.GLIBC_TUNABLES"), advice);
    }

    @Test
    void ownMallocSettingsAreLeftAlone() {
        assertNull(MallocAdvice.advice(Map.of("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=0"), "Linux"));
        assertNull(MallocAdvice.advice(Map.of("MALLOC_TRIM_THRESHOLD_", "1000000"), "Linux"));
        assertNull(MallocAdvice.advice(Map.of("MALLOC_MMAP_THRESHOLD_", "1000000"), "Linux"));
    }

    @Test
    void otherTunablesStillGetTheAdvice() {
        String advice = MallocAdvice.advice(Map.of("GLIBC_TUNABLES", "glibc.pthread.rseq=0"), "Linux");
        assertTrue(advice != null && advice.contains(MallocAdvice.TUNABLES), String.valueOf(advice));
    }

    @Test
    void otherSystemsGetNone() {
        assertNull(MallocAdvice.advice(Map.of(), "Mac OS X"));
        assertNull(MallocAdvice.advice(Map.of(), "Windows 11"));
    }

    @Test
    void testsRunAsTheScriptsDo() {
        // The root pom gives every test JVM the same environment as bin/: this JVM has nothing to be advised.
        assertNull(MallocAdvice.advice(System.getenv(), System.getProperty("os.name")));
        assertEquals(MallocAdvice.TUNABLES, System.getenv("GLIBC_TUNABLES"), "the advice names the pom's value");
    }
}
