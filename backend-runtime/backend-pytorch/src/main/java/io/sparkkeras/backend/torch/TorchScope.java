package io.sparkkeras.backend.torch;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.sparkkeras.backend.Scope;
import io.sparkkeras.backend.Tensor;

/**
 * A step scope: a DJL sub-manager that owns every tensor made on this thread until it closes. Scopes nest per
 * thread; with none open, tensors go to the backend's root manager. Opening one also turns libtorch's grad mode
 * off on this thread (see the package notes).
 */
final class TorchScope implements Scope {
    private static final ThreadLocal<TorchScope> CURRENT = new ThreadLocal<>();

    private final TorchBackend backend;
    private final NDManager manager;
    private final TorchScope parent;
    private final boolean root;
    private boolean closed;
    boolean gradMode;

    private TorchScope(TorchBackend backend, NDManager manager, TorchScope parent, boolean root) {
        this.backend = backend;
        this.manager = manager;
        this.parent = parent;
        this.root = root;
    }

    /** The innermost open scope of this thread for {@code backend}, or its root scope. */
    static TorchScope current(TorchBackend backend) {
        TorchScope s = CURRENT.get();
        if (s != null && s.backend == backend) {
            return s;
        }
        return backend.rootScope();
    }

    static TorchScope root(TorchBackend backend, NDManager manager) {
        return new TorchScope(backend, manager, null, true);
    }

    static TorchScope open(TorchBackend backend) {
        TorchScope parent = CURRENT.get();
        TorchScope base = parent != null && parent.backend == backend ? parent : backend.rootScope();
        TorchScope s = new TorchScope(backend, base.manager.newSubManager(), parent, false);
        JniUtils.setGradMode(false);
        CURRENT.set(s);
        return s;
    }

    NDManager manager() {
        return manager;
    }

    @Override
    public Tensor keep(Tensor t) {
        TorchTensor tt = (TorchTensor) t;
        NDManager target = parent != null && parent.backend == backend ? parent.manager : backend.rootScope().manager;
        tt.array().attach(target);
        return t;
    }

    @Override
    public int liveTensors() {
        return manager.getManagedArrays().size();
    }

    @Override
    public void close() {
        if (closed || root) {
            return;
        }
        closed = true;
        manager.close();
        if (parent == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(parent);
        }
    }
}
