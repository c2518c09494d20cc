package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.Scope;
import io.sparkkeras.backend.StepFunction;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.optimizers.AdamW;
import io.sparkkeras.optimizers.Optimizer;
import io.sparkkeras.optimizers.SGD;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tensorflow.GraphOperation;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The optimizers trace TensorFlow's fused training ops (one op per variable instead of a dozen), and those give the
 * same weights as Keras's composed math, which runs when the same optimizer is applied outside a trace.
 */
@Tag("tensorflow")
class TfOptimizerKernelsTest {
    private static final int STEPS = 3;
    private Backends.Selection selection;

    @BeforeEach
    void select() {
        selection = Backends.use("tensorflow");
    }

    @AfterEach
    void restore() {
        selection.close();
    }

    private static NdArray values(int seed, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.sin(seed * 7.1 + i * 1.3);
        }
        return NdArray.of(v, n);
    }

    /** Weights after each step, and how many {@code fusedOp}s the trace has (counted while its graph lives). */
    private record Run(List<NdArray> after, int fusedOps) {
    }

    /** Weights after each of {@link #STEPS} steps, traced as {@code fit} does or eagerly (the composed math). */
    private static Run run(Supplier<Optimizer> make, boolean traced, String traceName, String fusedOp) {
        List<NdArray> after = new ArrayList<>();
        try (Optimizer opt = make.get(); Variable w = new Variable("dense/kernel", values(1, 6), true)) {
            List<Variable> vars = List.of(w);
            StepFunction traceStep = Backends.current().core().compile(traceName, in -> {
                opt.apply(in, vars);
                return List.of();
            }, false);
            for (int s = 0; s < STEPS; s++) {
                try (Scope scope = Backends.current().core().newScope()) {
                    Tensor g = Ops.convertToTensor(values(10 + s, 6));
                    if (traced) {
                        traceStep.apply(List.of(g));
                    } else {
                        opt.apply(List.of(g), vars);
                    }
                }
                after.add(w.numpy());
            }
            // Before the variable closes: the backend starts a fresh graph once a graph's last variable is gone.
            return new Run(after, count(traceName, fusedOp));
        }
    }

    /** Ops of {@code type} traced under the name scope of {@code traceName}. */
    private static int count(String traceName, String type) {
        TfBackend b = (TfBackend) Backends.current();
        int n = 0;
        Iterator<GraphOperation> it = b.currentGraph().graph.operations();
        while (it.hasNext()) {
            GraphOperation op = it.next();
            if (op.name().startsWith(traceName + "_") && op.type().equals(type)) {
                n++;
            }
        }
        return n;
    }

    private static void check(String traceName, Supplier<Optimizer> make, String fusedOp, int expected) {
        Run tracedRun = run(make, true, traceName, fusedOp);
        List<NdArray> traced = tracedRun.after();
        List<NdArray> composed = run(make, false, traceName + "_eager", fusedOp).after();
        assertEquals(expected, tracedRun.fusedOps(), traceName + ": " + fusedOp + " ops in the trace");
        for (int s = 0; s < STEPS; s++) {
            float[] a = composed.get(s).toFloatArray();
            float[] b = traced.get(s).toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-5 * Math.max(1, Math.abs(a[i])),
                        traceName + ": step " + (s + 1) + ", element " + i);
            }
        }
    }

    @Test
    void adamTracesResourceApplyAdam() {
        check("adam_fused", () -> new Adam(0.05), "ResourceApplyAdam", 1);
        // Decoupled weight decay and clipping happen before the update step, so the fused op still applies.
        check("adamw_fused", () -> AdamW.builder().learningRate(0.05).weightDecay(0.1).clipnorm(0.5).build(),
                "ResourceApplyAdam", 1);
    }

    @Test
    void amsgradComposes() {
        check("amsgrad_composed", () -> Adam.builder().learningRate(0.05).amsgrad(true).build(),
                "ResourceApplyAdam", 0);
    }

    @Test
    void sgdTracesResourceApplyOps() {
        check("sgd_fused", () -> new SGD(0.1), "ResourceApplyGradientDescent", 1);
        check("momentum_fused", () -> SGD.builder().learningRate(0.1).momentum(0.9).build(),
                "ResourceApplyKerasMomentum", 1);
        check("nesterov_fused", () -> SGD.builder().learningRate(0.1).momentum(0.9).nesterov(true).build(),
                "ResourceApplyKerasMomentum", 1);
    }

    @Test
    void theFusedUpdateRunsAfterTheGradientIsUsed() {
        // The weight is read by the loss and updated in place by the fused op in one step: the update must wait for
        // the backward pass, as composed updates do.
        try (Variable w = new Variable("w", NdArray.of(new float[] {1, 2, 3}), true); Adam adam = new Adam(0.1)) {
            StepFunction step = Backends.current().core().compile("fused_order", in -> {
                var r = Backends.current().core().valueAndGrad(() -> Ops.sum(Ops.square(w.value())), List.of(w));
                adam.apply(r.gradients(), List.of(w));
                return List.of(r.value());
            }, false);
            try (Scope s = Backends.current().core().newScope()) {
                assertEquals(14.0, step.apply(List.of()).get(0).item(), 1e-5);
            }
            // Adam's first step moves each weight by lr against the gradient's sign.
            float[] after = w.numpy().toFloatArray();
            for (int i = 0; i < 3; i++) {
                assertEquals(i + 1 - 0.1, after[i], 1e-5);
            }
            assertTrue(count("fused_order", "ResourceApplyAdam") == 1);
            // It waits for the weight's read (used by the loss), but the slots it updates in place are not read.
            Iterator<GraphOperation> it = ((TfBackend) Backends.current()).currentGraph().graph.operations();
            while (it.hasNext()) {
                GraphOperation op = it.next();
                if (op.name().startsWith("fused_order_") && op.type().equals("ResourceApplyAdam")) {
                    long reads = op.controlInputs().stream().filter(c -> c.type().equals("ReadVariableOp")).count();
                    assertEquals(1, reads, "reads the fused Adam op waits for");
                }
            }
        }
    }
}
