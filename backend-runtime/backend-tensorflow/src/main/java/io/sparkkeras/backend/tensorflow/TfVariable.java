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
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;

/**
 * A variable's storage: a resource variable in the backend's graph ({@code VarHandleOp} with a shared name unique
 * to it — with a repeated name all handles would be one variable), living in the backend's session.
 *
 * <p>Inside a trace, {@link #value()} is the trace's {@code ReadVariableOp} and assignments add
 * {@code Assign*VariableOp}s ordered by {@link TfTrace}. Outside, a read runs the session and returns a host tensor,
 * and an assignment feeds a host value to a prebuilt {@code AssignVariableOp}.
 */
final class TfVariable implements VariableState {
    private final TfBackend backend;
    private final DType dtype;
    private final Shape shape;
    private final Output<?> handle;
    private final Output<?> read;
    private final Output<?> placeholder;
    private final Operation assign;
    private boolean closed;

    TfVariable(TfBackend backend, String path, NdArray initial) {
        this.backend = backend;
        this.dtype = initial.dtype();
        this.shape = initial.shape();
        String shared = "var_" + backend.nextId() + "_" + path.replaceAll("[^A-Za-z0-9_.\\-]", "_");
        Ops ops = backend.graphSubScope("var");
        synchronized (backend) {
            Scope s = ops.scope();
            OperationBuilder h = s.opBuilder("VarHandleOp", "handle");
            h.setAttr("dtype", Tf.dataType(dtype));
            h.setAttr("shape", Tf.shape(shape));
            h.setAttr("shared_name", shared);
            h.setAttr("container", "");
            this.handle = h.build().output(0);
            OperationBuilder r = s.opBuilder("ReadVariableOp", "read");
            r.addInput(handle);
            r.setAttr("dtype", Tf.dataType(dtype));
            this.read = r.build().output(0);
            OperationBuilder p = s.opBuilder("Placeholder", "value");
            p.setAttr("dtype", Tf.dataType(dtype));
            p.setAttr("shape", Tf.shape(shape));
            this.placeholder = p.build().output(0);
            OperationBuilder a = s.opBuilder("AssignVariableOp", "assign");
            a.addInput(handle);
            a.addInput(placeholder);
            this.assign = a.build();
        }
        assign(initial);
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
        Result r = backend.session().runner().fetch(read).run();
        return r.get(0);
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
        try (org.tensorflow.Tensor t = Tf.toTf(v)) {
            feed(t);
        }
    }

    private void feed(org.tensorflow.Tensor t) {
        backend.session().runner().feed(placeholder, t).addTarget(assign).run();
    }

    @Override
    public NdArray read() {
        check();
        try (org.tensorflow.Tensor t = fetch()) {
            return Tf.toNd(t);
        }
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
        Operation destroy;
        synchronized (backend) {
            OperationBuilder d = backend.graphSubScope("destroy").scope().opBuilder("DestroyResourceOp", "destroy");
            d.addInput(handle);
            d.setAttr("ignore_lookup_error", true);
            destroy = d.build();
        }
        backend.session().runner().addTarget(destroy).run();
    }
}
