package io.sparkkeras.backend.torch;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.GradientResult;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.ops.Nn;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Ops that take a number (a mean's count, hard_sigmoid's 6, gelu's constants, a crossentropy's 0) keep it alive until
 * backward. DJL's number overloads wrapped it in a Java buffer and freed that right after the op while autograd kept
 * it: once the JVM collected the buffer and reused its memory, backward read the new contents (here 1e-3 everywhere)
 * and the gradients were garbage, with no error.
 */
class NumberOperandsTest {
    private static final float[] X = {-2.5f, -0.75f, 0.5f, 1.25f, 2.75f, 0.1f};

    @Test
    void gradientsSurviveACollectionBetweenForwardAndBackward() {
        check("mean over an axis", x -> Ops.mean(x, 0));
        check("hard_sigmoid", x -> Ops.sum(Nn.hardSigmoid(x)));
        check("gelu, approximate", x -> Ops.sum(Nn.gelu(x, true)));
        check("binary crossentropy from logits", x -> Ops.sum(Backends.current().nn().binaryCrossentropy(
                Ops.convertToTensor(NdArray.of(new float[] {1, 0, 1, 0, 1, 0})), x, true)));
        // Clip's bounds: DJL makes them tensors over Java buffers too, kept until the step's scope closes.
        check("relu6", x -> Ops.sum(Nn.relu6(Ops.multiply(x, 4))));
        check("clip", x -> Ops.sum(Ops.clip(x, -1, 1)));
        check("binary crossentropy from probabilities", x -> Ops.sum(Backends.current().nn().binaryCrossentropy(
                Ops.convertToTensor(NdArray.of(new float[] {1, 0, 1, 0, 1, 0})), Nn.sigmoid(x), false)));
    }

    private static void check(String what, UnaryOperator<Tensor> loss) {
        try (Backends.Selection s = Backends.use("torch")) {
            float[] quiet = gradient(loss, false);
            float[] collected = gradient(loss, true);
            assertArrayEquals(quiet, collected, 1e-6f, what + ": the gradient changed once the JVM collected garbage");
        }
    }

    private static float[] gradient(UnaryOperator<Tensor> loss, boolean collect) {
        try (Variable v = new Variable("x", NdArray.of(X), true)) {
            GradientResult g = Backends.current().core().valueAndGrad(() -> {
                Tensor l = loss.apply(v.value());
                if (collect) {
                    reuseFreedMemory();
                }
                return l;
            }, List.of(v));
            return g.gradients().get(0).toNdArray().toFloatArray();
        }
    }

    /** Lets the JVM free unreachable direct buffers, then fills small blocks with 1e-3, as later allocations would. */
    private static void reuseFreedMemory() {
        System.gc();
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<ByteBuffer> junk = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            junk.add(ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putFloat(0, 1e-3f));
        }
    }
}
