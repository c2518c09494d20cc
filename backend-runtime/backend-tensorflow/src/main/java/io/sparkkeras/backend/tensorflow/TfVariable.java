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
    /** The value to assign at the next flush, until then; guarded by the backend's {@link TfPending}. */
    private org.tensorflow.Tensor pendingValue;
    private boolean closed;

    TfVariable(TfBackend backend, String path, NdArray initial) {
        this.backend = backend;
        this.dtype = initial.dtype();
        this.shape = initial.shape();
        String name = "var_" + backend.nextId() + "_" + path.replaceAll("[^A-Za-z0-9_.\\-]", "_");
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
            backend.removeVariable(graph);
            throw e;
        }
        // The first assignment waits for the next session run, with the other new variables' (TfPending).
        this.pendingValue = Tf.toTf(initial);
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

    /** Hands the pending initial value to the flush, which closes it. Called under the {@link TfPending} lock. */
    org.tensorflow.Tensor takePendingValue() {
        org.tensorflow.Tensor v = pendingValue;
        pendingValue = null;
        return v;
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
        check();
        org.tensorflow.Tensor t = Tf.toTf(v);
        synchronized (graph.pending) {
            // Not yet initialised (a model being loaded): the new value replaces the initial one, no run needed.
            if (pendingValue != null) {
                pendingValue.close();
                pendingValue = t;
                return;
            }
        }
        try (t) {
            feed(t);
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
        // Live variables are all in the current graph (an older one is replaced only when its last one closes).
        Session.Runner r = vs.get(0).graph.runner();
        for (TfVariable v : vs) {
            v.check();
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
        if (closed) {
            throw new IllegalStateException("Variable storage is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
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
