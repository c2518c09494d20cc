package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.DType;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The state of one step function being traced into the backend's graph on this thread: what Keras's TensorFlow
 * trainer gets from {@code tf.function}'s automatic control dependencies, made explicit.
 *
 * <ul>
 *   <li>Each variable is read once ({@code ReadVariableOp}) and the read reused, so gradients with respect to it
 *   are taken against the same output the forward pass used. After an update of the variable in the same trace, the
 *   next read is a new op that runs after the update.</li>
 *   <li>Each update ({@code Assign*VariableOp}) runs after every earlier read and update of its variable in the
 *   trace and, once gradients exist, after all of them: updates never race the backward pass, and a variable sees
 *   its updates in program order.</li>
 *   <li>Tensors from outside the trace (host values, eager results) are captured as constants, once each.</li>
 * </ul>
 */
final class TfTrace {
    private final TfBackend backend;
    private final TfGraph graph;
    private final String name;
    private final Ops ops;
    private final boolean jit;
    private final String jitScope;
    private final Map<TfVariable, Output<?>> reads = new IdentityHashMap<>();
    private final Map<TfVariable, List<Operation>> pendingReads = new IdentityHashMap<>();
    private final Map<TfVariable, Operation> lastUpdate = new IdentityHashMap<>();
    private final List<Operation> updates = new ArrayList<>();
    private final Map<TfTensor, Output<?>> captures = new IdentityHashMap<>();
    private final Map<String, TfTensor> scalars = new HashMap<>();
    private List<Operation> gradientOps = List.of();

    /** A trace in {@code graph}, which the caller holds ({@link TfBackend#enterGraph}) while it is built and run. */
    TfTrace(TfBackend backend, TfGraph graph, String name, boolean jit) {
        this.backend = backend;
        this.graph = graph;
        this.name = name;
        this.ops = backend.graphSubScope(graph, name);
        this.jit = jit;
        this.jitScope = "jit_scope_" + backend.nextId();
    }

    String name() {
        return name;
    }

    TfGraph graph() {
        return graph;
    }

    Scope scope() {
        return ops.scope();
    }

    /** Marks ops for XLA when the step was compiled with {@code jitCompile}. */
    void decorate(OperationBuilder ob) {
        if (jit) {
            ob.setAttr("_XlaCompile", true);
            ob.setAttr("_XlaScope", jitScope);
        }
    }

    /** {@code t} as an input of an op in this trace. */
    Output<?> resolve(TfTensor t) {
        if (t.isSymbolic()) {
            if (t.trace() != this) {
                throw new IllegalStateException("A tensor of the traced step '" + t.trace().name()
                        + "' was used while tracing '" + name + "': tensors cannot cross traced steps");
            }
            return t.symbolicOutput();
        }
        Output<?> c = captures.get(t);
        if (c == null) {
            org.tensorflow.Tensor v = t.hostValue();
            c = backend.op("Const", ob -> {
                ob.setAttr("value", v);
                ob.setAttr("dtype", v.dataType());
            });
            captures.put(t, c);
        }
        return c;
    }

    /** A scalar constant, made once per trace. */
    TfTensor scalar(double value, DType dtype) {
        String key = dtype + ":" + Double.doubleToLongBits(value);
        TfTensor t = scalars.get(key);
        if (t == null) {
            t = TfTensor.symbolic(backend, this, backend.constScalar(value, dtype));
            scalars.put(key, t);
        }
        return t;
    }

    /** The variable's current value in this trace. */
    Output<?> read(TfVariable v) {
        Output<?> r = reads.get(v);
        if (r == null) {
            Operation last = lastUpdate.get(v);
            Scope s = last == null ? ops.scope() : ops.scope().withControlDependencyOps(List.of(last));
            OperationBuilder ob = s.opBuilder("ReadVariableOp", "ReadVariableOp");
            ob.addInput(v.handle());
            ob.setAttr("dtype", Tf.dataType(v.dtype()));
            decorate(ob);
            r = ob.build().output(0);
            reads.put(v, r);
            pendingReads.computeIfAbsent(v, k -> new ArrayList<>()).add(r.op());
        }
        return r;
    }

    /** Adds an update of {@code v} ({@code AssignVariableOp}, {@code AssignAddVariableOp}...), ordered as above. */
    void update(TfVariable v, String opType, Output<?> value) {
        Output<?> val = backend.cast(value, v.dtype());
        List<Operation> deps = new ArrayList<>();
        orderAfterPending(v, deps);
        deps.addAll(gradientOps);
        Scope s = deps.isEmpty() ? ops.scope() : ops.scope().withControlDependencyOps(deps);
        OperationBuilder ob = s.opBuilder(opType, opType);
        ob.addInput(v.handle());
        ob.addInput(val);
        decorate(ob);
        Operation op = ob.build();
        lastUpdate.put(v, op);
        reads.remove(v);
        updates.add(op);
    }

    /**
     * Adds to {@code deps} what an update of {@code v} must run after: the reads of {@code v} not yet ordered (each
     * is then done) and its last update.
     */
    private void orderAfterPending(TfVariable v, List<Operation> deps) {
        List<Operation> pr = pendingReads.remove(v);
        if (pr != null) {
            deps.addAll(pr);
        }
        Operation last = lastUpdate.get(v);
        if (last != null) {
            deps.add(last);
        }
    }

    /**
     * Forgets {@code read}, the trace's read of {@code v}, if nothing consumes it yet: a read made only to reach the
     * variable (a fused kernel updating a slot in place) then never runs, instead of running before the update. A
     * later read of {@code v} is a new op.
     */
    void releaseUnusedRead(TfVariable v, Output<?> read) {
        GraphOperation op = (GraphOperation) read.op();
        if (reads.get(v) != read || op.numConsumers() != 0 || op.numControlConsumers() != 0) {
            return;
        }
        reads.remove(v);
        List<Operation> pr = pendingReads.get(v);
        if (pr != null) {
            pr.remove(op);
        }
    }

    /**
     * Adds one op that updates every variable of {@code vars} in place (a fused optimizer kernel such as
     * {@code ResourceApplyAdam}), ordered for each of them as {@link #update} orders an update.
     *
     * @param attrs sets the op's attributes, or {@code null}
     * @param inputs the op's inputs in order (handles included)
     */
    void updateAll(List<TfVariable> vars, String opType, Consumer<OperationBuilder> attrs, Output<?>... inputs) {
        List<Operation> deps = new ArrayList<>();
        for (TfVariable v : vars) {
            orderAfterPending(v, deps);
        }
        deps.addAll(gradientOps);
        Scope s = deps.isEmpty() ? ops.scope() : ops.scope().withControlDependencyOps(deps);
        OperationBuilder ob = s.opBuilder(opType, opType);
        for (Output<?> in : inputs) {
            ob.addInput(in);
        }
        if (attrs != null) {
            attrs.accept(ob);
        }
        decorate(ob);
        Operation op = ob.build();
        for (TfVariable v : vars) {
            lastUpdate.put(v, op);
            reads.remove(v);
        }
        updates.add(op);
    }

    /** Later updates wait for these (the gradient ops and the loss). */
    void gradientsComputed(List<Operation> ops) {
        List<Operation> all = new ArrayList<>(gradientOps);
        all.addAll(ops);
        gradientOps = all;
    }

    /** Which of {@code xs} the value {@code y} depends on, walking the graph back from {@code y}. */
    static boolean[] reachable(Output<?> y, Output<?>[] xs) {
        Set<GraphOperation> seen = new HashSet<>();
        ArrayDeque<GraphOperation> todo = new ArrayDeque<>();
        GraphOperation start = (GraphOperation) y.op();
        seen.add(start);
        todo.add(start);
        while (!todo.isEmpty()) {
            GraphOperation op = todo.poll();
            int n = op.numInputs();
            for (int i = 0; i < n; i++) {
                GraphOperation in = (GraphOperation) op.input(i).op();
                if (seen.add(in)) {
                    todo.add(in);
                }
            }
        }
        boolean[] r = new boolean[xs.length];
        for (int i = 0; i < xs.length; i++) {
            r[i] = seen.contains((GraphOperation) xs[i].op());
        }
        return r;
    }

    /** One op that runs every update of the trace, or {@code null} if there are none. */
    Operation finish() {
        if (updates.isEmpty()) {
            return null;
        }
        Scope s = ops.scope().withControlDependencyOps(updates);
        return s.opBuilder("NoOp", "updates").build();
    }
}
