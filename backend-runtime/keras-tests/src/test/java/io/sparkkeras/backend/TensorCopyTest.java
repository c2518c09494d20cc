package io.sparkkeras.backend;

import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Tensor#copyTo} and {@link Tensor#toNdArray}: host copies of contiguous, strided, scalar and empty tensors,
 * into a caller's buffer at its position, with no heap copy of the values on torch.
 */
@Tag("torch")
class TensorCopyTest {

    @Test
    void copyToWritesAtThePositionAndAdvances() {
        try (Backends.Selection s = Backends.use("torch"); Scope scope = Backends.current().core().newScope()) {
            Tensor a = Ops.convertToTensor(NdArray.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
            ByteBuffer fusion = ByteBuffer.allocateDirect(8 * 4).order(ByteOrder.nativeOrder());
            fusion.putFloat(-1f);
            a.copyTo(fusion);
            assertEquals(7 * 4, fusion.position());
            fusion.flip();
            float[] got = new float[7];
            fusion.asFloatBuffer().get(got);
            assertArrayEquals(new float[] {-1, 1, 2, 3, 4, 5, 6}, got);
            assertThrows(BufferOverflowException.class, () -> a.copyTo(ByteBuffer.allocateDirect(5 * 4)));
        }
    }

    @Test
    void copyToAllocatesNoHeapCopyOfTheValues() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (Backends.Selection s = Backends.use("torch"); Scope scope = Backends.current().core().newScope()) {
            Tensor big = Ops.convertToTensor(NdArray.zeros(DType.FLOAT32, Shape.of(256, 1024)));   // 1 MiB
            ByteBuffer fusion = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.nativeOrder());
            for (int i = 0; i < 50; i++) {   // warm-up: JIT and DJL's first-call paths
                fusion.clear();
                big.copyTo(fusion);
            }
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < 100; i++) {
                fusion.clear();
                big.copyTo(fusion);
            }
            long perCall = (threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before) / 100;
            // A gradient's copy into the fusion buffer each step must not go through a heap array of its size.
            assertTrue(perCall < 4096, perCall + " heap bytes per copyTo of a 1 MiB tensor");
        }
    }

    @Test
    @Tag("tensorflow")
    void tensorflowCopiesIntoTheBufferWithoutANewDirectBuffer() {
        try (Backends.Selection s = Backends.use("tensorflow"); Scope scope = Backends.current().core().newScope()) {
            Tensor a = Ops.convertToTensor(NdArray.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
            Tensor t = Ops.transpose(a, 1, 0);
            ByteBuffer dst = ByteBuffer.allocateDirect(7 * 4).order(ByteOrder.nativeOrder());
            dst.putFloat(-1f);
            t.copyTo(dst);
            assertEquals(7 * 4, dst.position());
            float[] got = new float[7];
            dst.flip();
            dst.asFloatBuffer().get(got);
            assertArrayEquals(new float[] {-1, 1, 4, 2, 5, 3, 6}, got);
            assertThrows(BufferOverflowException.class, () -> t.copyTo(ByteBuffer.allocateDirect(5 * 4)));
        }
    }

    @Test
    void stridedScalarAndEmptyTensorsCopyTheirLogicalValues() {
        try (Backends.Selection s = Backends.use("torch"); Scope scope = Backends.current().core().newScope()) {
            Tensor a = Ops.convertToTensor(NdArray.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
            Tensor t = Ops.transpose(a, 1, 0);   // a strided view in libtorch
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, t.toNdArray().toFloatArray());
            ByteBuffer dst = ByteBuffer.allocateDirect(6 * 4).order(ByteOrder.nativeOrder());
            t.copyTo(dst);
            float[] got = new float[6];
            dst.flip();
            dst.asFloatBuffer().get(got);
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, got);

            assertEquals(2.5, Ops.scalar(2.5).toNdArray().getDouble(0));
            Tensor empty = Ops.convertToTensor(NdArray.zeros(DType.FLOAT32, Shape.of(0, 3)));
            assertEquals(Shape.of(0, 3), empty.toNdArray().shape());
            ByteBuffer none = ByteBuffer.allocateDirect(0);
            empty.copyTo(none);
            assertEquals(0, none.position());
            int[] ints = Ops.convertToTensor(NdArray.of(new int[] {7, -8, 9})).toNdArray().toIntArray();
            assertArrayEquals(new int[] {7, -8, 9}, ints);
        }
    }
}
