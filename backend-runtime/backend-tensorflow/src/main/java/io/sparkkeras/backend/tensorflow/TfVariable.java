package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.VariableState;
import io.sparkkeras.utils.NdArray;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;

import java.util.ArrayList;
import java.util.List;

/**
 * A variable's storage: a resource variable in the backend's graph ({@code VarHandleOp} with a shared name unique
 * to it — with a repeated name all handles would be one variable), living in the backend's session.
 *
 * <p>Inside a trace, {@link #value()} is the trace's {@code ReadVariableOp} and assignments add
 * {@code Assign*VariableOp}s ordered by {@link TfTrace}. Outside, a read runs the session and returns a host tensor,
 * and an assignment feeds a host value to a prebuilt {@code AssignVariableOp}. The first assignment and the
 * destruction wait for the next session run and run with the other variables' ({@link TfPending}). When the backend
 * moves the live variables to a fresh graph ({@link TfCompaction}), each gets new ops there ({@link Binding}), so
 * every call outside a trace holds the graph ({@link TfBackend#enterGraph}) while it uses them.
 */
final class TfVariable implements VariableState {
    private final TfBackend backend;
    private final String name;
    private final DType dtype;
    private final Shape shape;
    /**
     * Its graph and its ops there. Read after entering the graph ({@link TfBackend#enterGraph}): while any thread is
     * in, it does not change. It changes when the backend moves the live variables to a fresh graph
     * ({@link TfCompaction}).
     */
    private volatile Binding binding;
    /** The value to assign at the next flush, until then; guarded by its graph's {@link TfPending}. */
    private org.tensorflow.Tensor pendingValue;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** The variable's ops in one graph. */
    record Binding(TfGraph graph, Output<?> handle, Output<?> read, Output<?> placeholder, Operation assign,
            Operation destroy) {
    }

    TfVariable(TfBackend backend, String path, NdArray initial) {
        this.backend = backend;
        this.dtype = initial.dtype();
        this.shape = initial.shape();
        this.name = "var_" + backend.nextId() + "_" + path.replaceAll("[^A-Za-z0-9_.\\-]", "_");
        org.tensorflow.Tensor value = Tf.toTf(initial);
        TfGraph g = backend.enterGraph();
        try {
            backend.building.lock();   // not while another thread's trace is being built (TfBackend#building)
            try {
                this.binding = bindIn(g);
            } finally {
                backend.building.unlock();
            }
        } catch (RuntimeException | Error e) {
            value.close();
            backend.exitGraph(g);
            throw e;
        }
        try {
            backend.addVariable(g, this);
            // The first assignment waits for the next session run, with the other new variables' (TfPending).
            synchronized (g.pending) {
                this.pendingValue = value;
                g.pending.initLater(this);
            }
        } finally {
            backend.exitGraph(g);
        }
    }

    /** Builds the variable's ops in {@code g}, which the caller holds. */
    Binding bindIn(TfGraph g) {
        synchronized (backend) {
            // Ops at the graph's root under the unique name: a sub-scope would read every op name in the graph.
            OperationBuilder h = g.opBuilder("VarHandleOp", name + "_handle");
            h.setAttr("dtype", Tf.dataType(dtype));
            h.setAttr("shape", Tf.shape(shape));
            h.setAttr("shared_name", name);
            h.setAttr("container", "");
            Output<?> handle = h.build().output(0);
            OperationBuilder r = g.opBuilder("ReadVariableOp", name + "_read");
            r.addInput(handle);
            r.setAttr("dtype", Tf.dataType(dtype));
            Output<?> read = r.build().output(0);
            OperationBuilder p = g.opBuilder("Placeholder", name + "_value");
            p.setAttr("dtype", Tf.dataType(dtype));
            p.setAttr("shape", Tf.shape(shape));
            Output<?> placeholder = p.build().output(0);
            OperationBuilder a = g.opBuilder("AssignVariableOp", name + "_assign");
            a.addInput(handle);
            a.addInput(placeholder);
            Operation assign = a.build();
            // Built now, run at close: building it then would grow the graph again.
            OperationBuilder d = g.opBuilder("DestroyResourceOp", name + "_destroy");
            d.addInput(handle);
            d.setAttr("ignore_lookup_error", true);
            return new Binding(g, handle, read, placeholder, assign, d.build());
        }
    }

    /**
     * Moves the variable to {@code b}'s graph, where {@code value} is assigned by its next flush. Called by
     * {@link TfCompaction} under the backend lock, with nothing in the old graph.
     */
    void rebind(Binding b, org.tensorflow.Tensor value) {
        synchronized (b.graph().pending) {
            this.binding = b;
            this.pendingValue = value;
            b.graph().pending.initLater(this);
        }
    }

    /** The binding in {@code g}, the graph the caller holds: every live variable is in it. */
    private Binding in(TfGraph g) {
        check();
        return bindingIn(g);
    }

    private Binding bindingIn(TfGraph g) {
        Binding b = binding;
        if (b.graph() != g) {
            throw new IllegalStateException("TensorFlow variable " + name + " is in graph " + b.graph().generation
                    + ", not in the current graph " + g.generation);
        }
        return b;
    }

    /** Its handle in the graph of the trace being built (which holds that graph): for ops of the trace only. */
    Output<?> handle() {
        TfTrace t = backend.trace();
        if (t == null) {
            throw new IllegalStateException("TensorFlow variable " + name + ": its handle is for traced steps only");
        }
        return in(t.graph()).handle();
    }

    /** Its read op in the current binding: for a caller that holds the graph. */
    Output<?> readOutput() {
        return binding.read();
    }

    DType dtype() {
        return dtype;
    }

    @Override
    public Tensor value() {
        check();
        TfTrace t = backend.trace();
        if (t != null) {
            return TfTensor.read(backend, t, t.read(this), this);
        }
        TfGraph g = backend.enterGraph();
        try {
            return TfTensor.concrete(backend, fetch(g));
        } finally {
            backend.exitGraph(g);
        }
    }

    /** Its value as a host tensor, by a session run of {@code g}, which the caller holds. */
    private org.tensorflow.Tensor fetch(TfGraph g) {
        Result r = g.runner().fetch(in(g).read()).run();
        return r.get(0);
    }

    /** Its placeholder, for a flush of the graph the caller holds. */
    Output<?> placeholder() {
        return binding.placeholder();
    }

    /** Its assignment, for a flush of the graph the caller holds. */
    Operation assignOp() {
        return binding.assign();
    }

    /** The value the next flush assigns. Called under the {@link TfPending} lock. */
    org.tensorflow.Tensor pendingValue() {
        return pendingValue;
    }

    /** After the flush's run: the variable holds its value now. Called under the {@link TfPending} lock. */
    void initialised() {
        pendingValue.close();
        pendingValue = null;
    }

    @Override
    public void assign(Tensor value) {
        update("AssignVariableOp", value);
    }

    @Override
    public void assignAdd(Tensor delta) {
        update("AssignAddVariableOp", delta);
    }

    @Override
    public void assignSub(Tensor delta) {
        update("AssignSubVariableOp", delta);
    }

    private void update(String opType, Tensor v) {
        check();
        TfTrace t = backend.trace();
        if (t != null) {
            t.update(this, opType, t.resolve(Tf.t(v)));
            return;
        }
        // Outside a trace: compute the new value eagerly and feed it.
        TfGraph g = backend.enterGraph();
        try {
            Output<?> x = backend.cast(Tf.t(v).eagerOutput(), dtype);
            Output<?> nv = switch (opType) {
                case "AssignAddVariableOp" -> backend.op("AddV2", current(g), x);
                case "AssignSubVariableOp" -> backend.op("Sub", current(g), x);
                default -> x;
            };
            Binding b = in(g);
            // The eager op owns the tensor it gives.
            try (Result ignored = g.runner().feed(b.placeholder(), nv.asTensor()).addTarget(b.assign()).run()) {
                // Targets only.
            }
        } finally {
            backend.exitGraph(g);
        }
    }

    private Output<?> current(TfGraph g) {
        try (org.tensorflow.Tensor v = fetch(g)) {
            return backend.eagerConstant(v);
        }
    }

    @Override
    public void assign(NdArray v) {
        assignAll(List.of(this), List.of(v));
    }

    /**
     * Assigns host values to {@code vs}: those not yet initialised get them as their initial value, the others in one
     * session run.
     */
    static void assignAll(List<TfVariable> vs, List<NdArray> values) {
        if (vs.isEmpty()) {
            return;
        }
        for (int i = 0; i < vs.size(); i++) {
            TfVariable v = vs.get(i);
            v.check();
            NdArray value = values.get(i);
            if (!value.shape().equals(v.shape) || value.dtype() != v.dtype) {
                // Checked here: a pending value that TensorFlow refuses would fail every later run of the graph.
                throw new IllegalArgumentException("Cannot assign a " + value.dtype() + " value of shape "
                        + value.shape() + " to a " + v.dtype + " variable of shape " + v.shape);
            }
        }
        TfBackend backend = vs.get(0).backend;
        TfGraph g = backend.enterGraph();
        List<TfVariable> toRun = new ArrayList<>();
        List<org.tensorflow.Tensor> feeds = new ArrayList<>();
        try {
            synchronized (g.pending) {
                for (int i = 0; i < vs.size(); i++) {
                    TfVariable v = vs.get(i);
                    v.in(g);
                    org.tensorflow.Tensor t = Tf.toTf(values.get(i));
                    if (v.pendingValue != null) {
                        // Not yet initialised (a model being loaded): the value replaces the initial one, no run.
                        v.pendingValue.close();
                        v.pendingValue = t;
                    } else {
                        toRun.add(v);
                        feeds.add(t);
                    }
                }
            }
            if (!toRun.isEmpty()) {
                Session.Runner r = g.runner();
                for (int i = 0; i < toRun.size(); i++) {
                    Binding b = toRun.get(i).in(g);
                    r.feed(b.placeholder(), feeds.get(i)).addTarget(b.assign());
                }
                try (Result ignored = r.run()) {
                    // Targets only.
                }
            }
        } finally {
            for (org.tensorflow.Tensor t : feeds) {
                t.close();
            }
            backend.exitGraph(g);
        }
    }

    @Override
    public NdArray read() {
        check();
        TfGraph g = backend.enterGraph();
        try {
            synchronized (g.pending) {
                if (pendingValue != null) {
                    return Tf.toNd(pendingValue);
                }
            }
            try (org.tensorflow.Tensor t = fetch(g)) {
                return Tf.toNd(t);
            }
        } finally {
            backend.exitGraph(g);
        }
    }

    /** Host copies of {@code vs}, fetched in one session run. */
    static List<NdArray> readAll(List<TfVariable> vs) {
        if (vs.isEmpty()) {
            return new ArrayList<>();
        }
        for (TfVariable v : vs) {
            v.check();
        }
        TfBackend backend = vs.get(0).backend;
        TfGraph g = backend.enterGraph();
        try {
            Session.Runner r = g.runner();
            for (TfVariable v : vs) {
                r.fetch(v.in(g).read());
            }
            List<NdArray> out = new ArrayList<>(vs.size());
            try (Result res = r.run()) {
                for (int i = 0; i < vs.size(); i++) {
                    out.add(Tf.toNd(res.get(i)));
                }
            }
            return out;
        } finally {
            backend.exitGraph(g);
        }
    }

    private void check() {
        if (closed.get()) {
            throw new IllegalStateException("Variable storage is closed");
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;   // closed already, perhaps by another thread: the graph's count goes down once
        }
        TfGraph g = backend.enterGraph(false);
        try {
            try {
                Binding b = bindingIn(g);
                boolean neverMade;
                synchronized (g.pending) {
                    neverMade = g.pending.cancelInit(this);
                    if (neverMade) {
                        pendingValue.close();
                        pendingValue = null;
                    }
                }
                if (!neverMade) {
                    g.pending.destroyLater(b.destroy());
                }
            } finally {
                backend.removeVariable(g, this);
            }
        } finally {
            // The last variable of a graph lets it go here (and its session frees what is left in it).
            backend.exitGraph(g);
        }
    }

    /** The graph it is in now (for tests). */
    TfGraph graph() {
        return binding.graph();
    }

    /** Its ops in the graph it is in now (for tests). */
    Binding binding() {
        return binding;
    }
}
