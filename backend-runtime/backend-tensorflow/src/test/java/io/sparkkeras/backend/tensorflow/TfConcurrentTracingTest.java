package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.GradientResult;
import io.sparkkeras.backend.Scope;
import io.sparkkeras.backend.StepFunction;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tensorflow.Operand;
import org.tensorflow.TensorFlow;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Threads tracing into one graph at once, as the Spark workers of one executor do. TF Java runs a custom gradient
 * ({@link TfGradients}) with the whole {@code Graph} switched to builders that skip its lock, so an op another
 * thread's trace added meanwhile raced TensorFlow's gradient builder, which then failed the step ("BUG: The
 * gradients prefix have been unexpectedly altered", seen once in CI with two workers). The backend now builds its
 * graphs one trace at a time ({@link TfBackend#building}).
 */
@Tag("tensorflow")
@Timeout(60)
class TfConcurrentTracingTest {
    private static final CountDownLatch OTHER_TRACING = new CountDownLatch(1);
    private static final CountDownLatch IN_GRADIENT = new CountDownLatch(1);
    private static final CountDownLatch OTHER_BUILT = new CountDownLatch(1);

    private static final java.util.concurrent.atomic.AtomicBoolean THROWING =
            new java.util.concurrent.atomic.AtomicBoolean();

    static {
        // Rint has no C++ gradient: this one keeps the gradient builder open while the other trace adds an op.
        TensorFlow.registerCustomGradient("Rint", (tf, op, grads) -> {
            if (THROWING.get()) {
                throw new IllegalStateException("a custom gradient that fails");
            }
            IN_GRADIENT.countDown();
            await(OTHER_BUILT, 500);
            return List.of((Operand<?>) grads.get(0));
        });
    }

    private static void await(CountDownLatch latch, long ms) {
        try {
            latch.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aCustomGradientThatFailsLeavesTheGraphOnItsLock() throws Exception {
        try (Backends.Selection s = Backends.use("tensorflow");
                Variable w = new Variable("w", NdArray.of(new float[] {0.4f, 1.6f}), true)) {
            TfBackend tf = (TfBackend) Backends.current();
            THROWING.set(true);
            try (Scope scope = tf.core().newScope()) {
                assertThrows(RuntimeException.class, () -> tf.core().valueAndGrad(
                        () -> Ops.sum(tf.wrap(tf.op("Rint", tf.in(w.value())))), List.of(w)));
            } finally {
                THROWING.set(false);
            }
            // TF Java switched the graph to builders that skip its lock and, as the gradient threw, not back.
            java.lang.reflect.Field f = org.tensorflow.Graph.class.getDeclaredField("dangerousGradientBuilder");
            f.setAccessible(true);
            assertFalse(f.getBoolean(tf.currentGraph().graph), "the graph's op builders take its lock again");
        }
    }

    @Test
    void anOpTracedWhileAnotherThreadIsInACustomGradientWaitsForThatTrace() throws Exception {
        try (Backends.Selection s = Backends.use("tensorflow");
                Variable w = new Variable("w", NdArray.of(new float[] {0.4f, 1.6f}), true)) {
            TfBackend tf = (TfBackend) Backends.current();
            // The other thread starts tracing first, then adds its op once this one is inside the custom gradient
            // (at most 2 s later: traced one at a time, this one cannot start before the other's trace is done).
            StepFunction twice = tf.core().compile("twice", in -> {
                OTHER_TRACING.countDown();
                await(IN_GRADIENT, 2000);
                Tensor y = Ops.multiply(in.get(0), 2.0);
                OTHER_BUILT.countDown();
                return List.of(y);
            }, false);
            CompletableFuture<float[]> other = CompletableFuture.supplyAsync(() -> {
                try (Backends.Selection t = Backends.use("tensorflow");
                        Scope scope = tf.core().newScope()) {
                    return twice.apply(List.of(Ops.convertToTensor(NdArray.of(new float[] {3})))).get(0)
                            .toFloatArray();
                }
            });
            assertTrue(OTHER_TRACING.await(30, TimeUnit.SECONDS), "the other trace never started");
            try (Scope scope = tf.core().newScope()) {
                GradientResult r = tf.core().valueAndGrad(
                        () -> Ops.sum(tf.wrap(tf.op("Rint", tf.in(w.value())))), List.of(w));
                assertArrayEquals(new float[] {2}, r.value().toFloatArray());
                assertArrayEquals(new float[] {1, 1}, r.gradients().get(0).toFloatArray());
            }
            assertArrayEquals(new float[] {6}, other.get(30, TimeUnit.SECONDS));
        }
    }
}
