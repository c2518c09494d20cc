package io.sparkkeras.backend.tensorflow;

import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TType;

import java.util.List;

/**
 * Gradients TensorFlow's C++ registry (the one {@code Graph.addGradients} uses) lacks, registered once per JVM
 * with {@link TensorFlow#registerCustomGradient}. A registration cannot replace an existing gradient, so each is
 * skipped where TensorFlow already has one.
 */
final class TfGradients {
    private static boolean registered;
    private static boolean sparseSoftmax;

    private TfGradients() {
    }

    static synchronized void register() {
        if (registered) {
            return;
        }
        registered = true;
        // d loss / d logits is the op's second output (softmax - one_hot), scaled by the incoming gradient of each
        // sample's loss; the integer labels get zeros (not null: the C API needs a tensor for every input).
        boolean added = TensorFlow.registerCustomGradient("SparseSoftmaxCrossEntropyWithLogits", (tf, op, grads) -> {
            Output<?> backprop = op.output(1);
            Operand<? extends TType> g = expandLast(tf, grads.get(0));
            return List.of(mul(tf, g, backprop), tf.zerosLike((Operand) op.input(1)));
        });
        sparseSoftmax = added || hasGradient("SparseSoftmaxCrossEntropyWithLogits");
        // Rounding is flat almost everywhere: zero gradient, as in PyTorch and Keras.
        TensorFlow.registerCustomGradient("Round", (tf, op, grads) -> List.of(tf.zerosLike((Operand) op.input(0))));
    }

    /**
     * After a failed {@code addGradients}: TF Java switches the graph to op builders that skip its lock for a custom
     * gradient and switches back only if the gradient function returns, so one that threw leaves the graph without
     * its lock for every later op. Switches it back (a private TF Java method: best effort).
     */
    static void restoreLockedBuilders(org.tensorflow.Graph g) {
        try {
            java.lang.reflect.Method m = org.tensorflow.Graph.class.getDeclaredMethod("setDangerousGradientBuilder",
                    boolean.class);
            m.setAccessible(true);
            m.invoke(g, false);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Another TF Java version: nothing to restore through this method.
        }
    }

    /** Whether the fused sparse crossentropy op can be differentiated (else a log-softmax form is used). */
    static boolean sparseSoftmaxHasGradient() {
        return sparseSoftmax;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Operand<? extends TType> expandLast(Ops tf, Output<?> g) {
        return tf.expandDims((Operand) g, tf.constant(-1));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Operand<?> mul(Ops tf, Operand<?> a, Operand<?> b) {
        return tf.math.mul((Operand) a, (Operand) b);
    }

    private static boolean hasGradient(String opType) {
        try {
            java.lang.reflect.Method m = TensorFlow.class.getDeclaredMethod("hasGradient", String.class);
            m.setAccessible(true);
            return (boolean) m.invoke(null, opType);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
