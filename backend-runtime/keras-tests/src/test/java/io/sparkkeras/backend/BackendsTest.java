package io.sparkkeras.backend;

import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("torch")
class BackendsTest {

    @Test
    void torchIsFoundByKerasNameAndAlias() {
        assertTrue(Backends.available().contains("torch"), Backends.available().toString());
        assertSame(Backends.get("torch"), Backends.get("pytorch"));
        assertEquals("torch", Backends.get("torch").name());
    }

    @Test
    void useSelectsPerThreadAndRestores() {
        Backend before = Backends.current();
        try (Backends.Selection s = Backends.use("torch")) {
            assertEquals("torch", Backends.current().name());
        }
        assertSame(before, Backends.current());
    }

    @Test
    void unknownBackendListsTheAvailableOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.get("jax"));
        assertTrue(e.getMessage().contains("backend=jax") && e.getMessage().contains("torch"), e.getMessage());
    }

    @Test
    void canonicalNamesAreCheckedWithoutLoading() {
        assertEquals("torch", Backends.canonicalName("PyTorch"));
        assertEquals("tensorflow", Backends.canonicalName(" TF "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backends.canonicalName("tensorflw"));
        assertTrue(e.getMessage().contains("backend=\"tensorflw\"") && e.getMessage().contains("[torch, tensorflow"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backends.canonicalName(""));
    }

    @Test
    void scopeFreesWhatItOwnsAndKeepHandsUp() {
        try (Scope outer = Backends.current().core().newScope()) {
            Tensor kept;
            try (Scope inner = Backends.current().core().newScope()) {
                Tensor a = Ops.convertToTensor(NdArray.of(new float[] {1, 2, 3}));
                Tensor b = Ops.multiply(a, Ops.convertToTensor(NdArray.of(new float[] {2, 2, 2})));
                assertEquals(3, inner.liveTensors());
                kept = inner.keep(b);
            }
            assertEquals(1, outer.liveTensors());
            assertArrayEquals(new float[] {2, 4, 6}, kept.toFloatArray());
        }
    }
}
