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
 * destruction wait for the next session run and run with the other variables' ({@link TfPending}).
 */
final class TfVariable implements VariableState {
    private final TfBackend backend;
    /** The graph its ops are in, kept from being replaced while the variable lives. */
    private final TfGraph graph;
    private final DType dtype;
    private final Shape shape;
    private final Output<?> handle;
    private final Output<?> read;
    private final Output<?> placeholder;
    private final Operation assign;
    private final Operation destroy;
    /** The value to assign at the next flush, until then; guarded by its graph's {@link TfPending}. */
    private org.tensorflow.Tensor pendingValue;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    TfVariable(TfBackend backend, String path, NdArray initial) {
        this.backend = backend;
        this.dtype = initial.dtype();
        this.shape = initial.shape();
        String name = "var_" + backend.nextId() + "_" + path.replaceAll("[^A-Za-z0-9_.\\-]", "_");
        org.tensorflow.Tensor value = Tf.toTf(initial);
        this.graph = backend.addVariable();
        try {
            synchronized (backend) {
                // Ops at the graph's root under the unique name: a sub-scope would read every op name in the graph.
                OperationBuilder h = graph.opBuilder("VarHandleOp", name + "_handle");
                h.setAttr("dtype", Tf.dataType(dtype));
                h.setAttr("shape", Tf.shape(shape));
                h.setAttr("shared_name", name);
                h.setAttr("container", "");
                this.handle = h.build().output(0);
                OperationBuilder r = graph.opBuilder("ReadVariableOp", name + "_read");
                r.addInput(handle);
                r.setAttr("dtype", Tf.dataType(dtype));
                this.read = r.build().output(0);
                OperationBuilder p = graph.opBuilder("Placeholder", name + "_value");
                p.setAttr("dtype", Tf.dataType(dtype));
                p.setAttr("shape", Tf.shape(shape));
                this.placeholder = p.build().output(0);
                OperationBuilder a = graph.opBuilder("AssignVariableOp", name + "_assign");
                a.addInput(handle);
                a.addInput(placeholder);
                this.assign = a.build();
                // Built now, run at close: building it then would grow the graph again.
                OperationBuilder d = graph.opBuilder("DestroyResourceOp", name + "_destroy");
                d.addInput(handle);
                d.setAttr("ignore_lookup_error", true);
                this.destroy = d.build();
            }
        } catch (RuntimeException e) {
            value.close();
            backend.removeVariable(graph);
            throw e;
        }
        // The first assignment waits for the next session run, with the other new variables' (TfPending).
        this.pendingValue = value;
        graph.pending.initLater(this);
    }

    Output<?> handle() {
        return handle;
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
        return TfTensor.concrete(backend, fetch());
    }

    private org.tensorflow.Tensor fetch() {
        Result r = graph.runner().fetch(read).run();
        return r.get(0);
    }

    Output<?> placeholder() {
        return placeholder;
    }

    Operation assignOp() {
        return assign;
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
        Output<?> x = backend.cast(Tf.t(v).eagerOutput(), dtype);
        Output<?> nv = switch (opType) {
            case "AssignAddVariableOp" -> backend.op("AddV2", current(), x);
            case "AssignSubVariableOp" -> backend.op("Sub", current(), x);
            default -> x;
        };
        feed(nv.asTensor());
    }

    private Output<?> current() {
        try (org.tensorflow.Tensor v = fetch()) {
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
        TfGraph g = vs.get(0).graph;
        for (int i = 0; i < vs.size(); i++) {
            TfVariable v = vs.get(i);
            v.check();
            NdArray value = values.get(i);
            if (!value.shape().equals(v.shape) || value.dtype() != v.dtype) {
                // Checked here: a pending value that TensorFlow refuses would fail every later run of the graph.
                throw new IllegalArgumentException("Cannot assign a " + value.dtype() + " value of shape "
                        + value.shape() + " to a " + v.dtype + " variable of shape " + v.shape);
            }
            if (v.graph != g) {
                // Not expected (live variables share the current graph): assign each on its own.
                for (int j = 0; j < vs.size(); j++) {
                    assignAll(List.of(vs.get(j)), List.of(values.get(j)));
                }
                return;
            }
        }
        List<TfVariable> toRun = new ArrayList<>();
        List<org.tensorflow.Tensor> feeds = new ArrayList<>();
        try {
            synchronized (g.pending) {
                for (int i = 0; i < vs.size(); i++) {
                    TfVariable v = vs.get(i);
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
                    r.feed(toRun.get(i).placeholder, feeds.get(i)).addTarget(toRun.get(i).assign);
                }
                try (Result ignored = r.run()) {
                    // Targets only.
                }
            }
        } finally {
            for (org.tensorflow.Tensor t : feeds) {
                t.close();
            }
        }
    }

    private void feed(org.tensorflow.Tensor t) {
        graph.runner().feed(placeholder, t).addTarget(assign).run();
    }

    @Override
    public NdArray read() {
        check();
        synchronized (graph.pending) {
            if (pendingValue != null) {
                return Tf.toNd(pendingValue);
            }
        }
        try (org.tensorflow.Tensor t = fetch()) {
            return Tf.toNd(t);
        }
    }

    /** Host copies of {@code vs}, fetched in one session run. */
    static List<NdArray> readAll(List<TfVariable> vs) {
        if (vs.isEmpty()) {
            return new ArrayList<>();
        }
        TfGraph g = vs.get(0).graph;
        for (TfVariable v : vs) {
            v.check();
            if (v.graph != g) {
                // Not expected (live variables share the current graph), but a fetch from another graph would
                // hand the session a foreign op: read each on its own.
                List<NdArray> out = new ArrayList<>(vs.size());
                for (TfVariable w : vs) {
                    out.add(w.read());
                }
                return out;
            }
        }
        Session.Runner r = g.runner();
        for (TfVariable v : vs) {
            r.fetch(v.read);
        }
        List<NdArray> out = new ArrayList<>(vs.size());
        try (Result res = r.run()) {
            for (int i = 0; i < vs.size(); i++) {
                out.add(Tf.toNd(res.get(i)));
            }
        }
        return out;
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
        try {
            synchronized (graph.pending) {
                if (graph.pending.cancelInit(this)) {
                    // Never initialised, so nothing to destroy.
                    pendingValue.close();
                    pendingValue = null;
                    return;
                }
            }
            graph.pending.destroyLater(destroy);
        } finally {
            // The last variable of a replaced graph lets it go (and its session frees what is left in it).
            backend.removeVariable(graph);
        }
    }

    TfGraph graph() {
        return graph;
    }
}
