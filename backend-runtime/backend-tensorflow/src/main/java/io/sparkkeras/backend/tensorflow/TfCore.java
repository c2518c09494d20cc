package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.CoreOps;
import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.GradientResult;
import io.sparkkeras.backend.Scope;
import io.sparkkeras.backend.StepFunction;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.backend.VariableState;
import io.sparkkeras.utils.NdArray;
import org.tensorflow.Operation;
import org.tensorflow.Output;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** Tensors, variables, scopes and gradients on TensorFlow: Keras's {@code backend/tensorflow/core.py}. */
final class TfCore implements CoreOps {
    private static final int SCALAR_CACHE_SIZE = 512;

    private final TfBackend b;
    /** Eager scalar constants reused outside traces (hyper-parameters, 1 - beta). */
    private final ConcurrentHashMap<String, TfTensor> scalars = new ConcurrentHashMap<>();
    private volatile long seed;

    TfCore(TfBackend b) {
        this.b = b;
    }

    @Override
    public Tensor convert(NdArray a) {
        return TfTensor.concrete(b, Tf.toTf(a));
    }

    @Override
    public NdArray toNdArray(Tensor t) {
        return t.toNdArray();
    }

    @Override
    public Tensor scalar(double value, DType dtype) {
        TfTrace tr = b.trace();
        if (tr != null) {
            return tr.scalar(value, dtype);
        }
        String key = dtype + ":" + Double.doubleToLongBits(value);
        TfTensor t = scalars.get(key);
        if (t == null) {
            t = TfTensor.shared(b, TfBackend.scalarTensor(value, dtype));
            if (scalars.size() < SCALAR_CACHE_SIZE) {
                TfTensor prev = scalars.putIfAbsent(key, t);
                if (prev != null) {
                    t = prev;
                }
            }
        }
        return t;
    }

    @Override
    public Tensor cast(Tensor x, DType dtype) {
        return b.wrap(b.cast(b.in(x), dtype));
    }

    @Override
    public Tensor stopGradient(Tensor x) {
        return b.wrap(b.op("StopGradient", b.in(x)));
    }

    @Override
    public VariableState newVariable(String path, NdArray initialValue, boolean trainable) {
        return new TfVariable(b, path, initialValue);
    }

    @Override
    public List<NdArray> readVariables(List<VariableState> variables) {
        List<TfVariable> vs = new ArrayList<>(variables.size());
        for (VariableState v : variables) {
            vs.add((TfVariable) v);
        }
        return TfVariable.readAll(vs);
    }

    @Override
    public void assignVariables(List<VariableState> variables, List<NdArray> values) {
        List<TfVariable> vs = new ArrayList<>(variables.size());
        for (VariableState v : variables) {
            vs.add((TfVariable) v);
        }
        TfVariable.assignAll(vs, values);
    }

    @Override
    public Scope newScope() {
        return TfScope.open(b);
    }

    @Override
    public GradientResult valueAndGrad(Supplier<Tensor> fn, List<Variable> variables) {
        if (b.trace() != null) {
            return traced(fn, variables);
        }
        // Outside a step: trace the function on its own, run it once, and return host values. Each call adds
        // its ops to the graph, so loops should go through compile() instead.
        TfGraph g = b.enterGraph();
        try {
            List<Output<?>> fetches = new ArrayList<>();
            Operation target;
            b.building.lock();
            try {
                TfTrace tr = new TfTrace(b, g, "value_and_grad", false);
                b.enter(tr);
                try {
                    GradientResult r = traced(fn, variables);
                    fetches.add(tr.resolve(Tf.t(r.value())));
                    for (Tensor gr : r.gradients()) {
                        fetches.add(tr.resolve(Tf.t(gr)));
                    }
                    target = tr.finish();
                } finally {
                    b.exit(tr);
                }
            } finally {
                b.building.unlock();
            }
            List<Tensor> out = TfTrainer.run(b, g, List.of(), List.of(), fetches, target);
            return new GradientResult(out.get(0), out.subList(1, out.size()));
        } finally {
            b.exitGraph(g);
        }
    }

    private GradientResult traced(Supplier<Tensor> fn, List<Variable> variables) {
        TfTrace tr = b.trace();
        Output<?>[] xs = new Output<?>[variables.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = tr.resolve(Tf.t(variables.get(i).value()));
        }
        Tensor loss = fn.get();
        if (loss.shape().size() != 1) {
            throw new IllegalArgumentException("valueAndGrad needs a scalar loss; the function returned shape "
                    + loss.shape());
        }
        Output<?> y = tr.resolve(Tf.t(loss));
        boolean[] reach = TfTrace.reachable(y, xs);
        List<Output<?>> connected = new ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            if (reach[i]) {
                connected.add(xs[i]);
            }
        }
        Output<?>[] dy;
        synchronized (b) {
            try {
                dy = connected.isEmpty() ? new Output<?>[0]
                        : tr.graph().graph.addGradients("gradients_" + b.nextId(), new Output<?>[] {y},
                                connected.toArray(new Output<?>[0]), null);
            } catch (RuntimeException | Error e) {
                TfGradients.restoreLockedBuilders(tr.graph().graph);
                throw e;
            }
        }
        List<Tensor> grads = new ArrayList<>(xs.length);
        List<Operation> gradOps = new ArrayList<>();
        gradOps.add(y.op());
        for (int i = 0, j = 0; i < xs.length; i++) {
            Output<?> g;
            if (reach[i]) {
                g = dy[j++];
            } else {
                // Not connected to the loss: a zero gradient (Keras's TF backend would pass None).
                final Output<?> x = xs[i];
                g = b.op("ZerosLike", x);
            }
            gradOps.add(g.op());
            grads.add(TfTensor.symbolic(b, tr, g));
        }
        tr.gradientsComputed(gradOps);
        return new GradientResult(loss, grads);
    }

    @Override
    public StepFunction compile(String name, StepFunction fn, boolean jitCompile) {
        return new TfTrainer.CompiledStep(b, name, fn, jitCompile);
    }

    @Override
    public void setSeed(long seed) {
        this.seed = seed;
    }

    long seed() {
        return seed;
    }
}
