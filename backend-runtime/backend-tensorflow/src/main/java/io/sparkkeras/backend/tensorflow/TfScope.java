package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.Scope;
import io.sparkkeras.backend.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A step scope: owns the host tensors (converted batches, fetched outputs, variable reads) made on this thread while
 * it is current, and closes them when it closes. Symbolic tensors live in the graph and eager ones are released by
 * the eager session, so neither is tracked. Scopes nest per thread; with none open, tensors belong to the root
 * scope, which leaves them to the garbage collector.
 */
final class TfScope implements Scope {
    private static final ThreadLocal<TfScope> CURRENT = new ThreadLocal<>();

    private final TfBackend backend;
    private final TfScope parent;
    private final boolean root;
    private final List<TfTensor> owned = new ArrayList<>();
    private boolean closed;

    private TfScope(TfBackend backend, TfScope parent, boolean root) {
        this.backend = backend;
        this.parent = parent;
        this.root = root;
    }

    static TfScope root(TfBackend backend) {
        return new TfScope(backend, null, true);
    }

    static TfScope current(TfBackend backend) {
        TfScope s = CURRENT.get();
        if (s != null && s.backend == backend) {
            return s;
        }
        return backend.rootScope();
    }

    static TfScope open(TfBackend backend) {
        TfScope s = new TfScope(backend, CURRENT.get(), false);
        CURRENT.set(s);
        return s;
    }

    void own(TfTensor t) {
        if (!root) {
            owned.add(t);
        }
    }

    @Override
    public Tensor keep(Tensor t) {
        TfTensor tt = Tf.t(t);
        if (owned.remove(tt)) {
            TfScope target = parent != null && parent.backend == backend ? parent : backend.rootScope();
            target.own(tt);
        }
        return t;
    }

    @Override
    public int liveTensors() {
        int n = 0;
        for (TfTensor t : owned) {
            if (t.hasValue()) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        if (closed || root) {
            return;
        }
        closed = true;
        for (TfTensor t : owned) {
            t.close();
        }
        owned.clear();
        if (parent == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(parent);
        }
    }
}
