package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.StepFunction;
import io.sparkkeras.backend.Tensor;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiled steps: Keras's {@code backend/tensorflow/trainer.py}, where {@code train_step}, {@code test_step} and
 * {@code predict_step} become {@code tf.function}s. A {@link CompiledStep} traces its function into the backend's
 * graph once per input signature (shapes and dtypes: a smaller last batch is a second signature), with a
 * placeholder per input, and then runs it per batch with one {@code Session.run}: feed the inputs, fetch the
 * outputs, run the updates.
 */
final class TfTrainer {
    private TfTrainer() {
    }

    /** One input signature. */
    private record Signature(List<Shape> shapes, List<DType> dtypes) {
    }

    /** A traced graph for one signature. */
    private record Traced(TfGraph graph, List<Output<?>> placeholders, List<Output<?>> outputs, Operation target) {
    }

    static final class CompiledStep implements StepFunction {
        private final TfBackend b;
        private final String name;
        private final StepFunction fn;
        private final boolean jit;
        private final Map<Signature, Traced> traces = new ConcurrentHashMap<>();

        CompiledStep(TfBackend b, String name, StepFunction fn, boolean jit) {
            this.b = b;
            this.name = name;
            this.fn = fn;
            this.jit = jit;
        }

        @Override
        public List<Tensor> apply(List<Tensor> inputs) {
            if (b.trace() != null) {
                return fn.apply(inputs);   // called from another traced step: inline
            }
            List<Shape> shapes = new ArrayList<>(inputs.size());
            List<DType> dtypes = new ArrayList<>(inputs.size());
            for (Tensor t : inputs) {
                shapes.add(t.shape());
                dtypes.add(t.dtype());
            }
            Signature sig = new Signature(shapes, dtypes);
            TfGraph g = b.enterGraph();
            try {
                Traced t = traces.get(sig);
                if (t == null || t.graph() != g) {
                    // First call, or the graph was replaced since: a step with no variables outlives its graph, and
                    // live variables move to a fresh graph when theirs holds many dead ops (TfCompaction).
                    b.building.lock();
                    try {
                        Traced other = traces.get(sig);   // another thread may have traced it while this one waited
                        t = other != null && other.graph() == g ? other : trace(sig, g);
                    } finally {
                        b.building.unlock();
                    }
                    traces.values().removeIf(old -> old.graph() != g);   // traces of a replaced graph: never run again
                    traces.put(sig, t);
                }
                List<org.tensorflow.Tensor> feeds = new ArrayList<>(inputs.size());
                for (Tensor in : inputs) {
                    feeds.add(Tf.t(in).hostValue());
                }
                return run(b, g, t.placeholders(), feeds, t.outputs(), t.target());
            } finally {
                b.exitGraph(g);
            }
        }

        /** Number of traced signatures (for tests). */
        int traceCount() {
            return traces.size();
        }

        private Traced trace(Signature sig, TfGraph g) {
            TfTrace tr = new TfTrace(b, g, name, jit);
            b.enter(tr);
            try {
                List<Output<?>> phs = new ArrayList<>();
                List<Tensor> ins = new ArrayList<>();
                for (int i = 0; i < sig.shapes().size(); i++) {
                    final int k = i;
                    OperationBuilder ob = tr.scope().opBuilder("Placeholder", "input_" + i);
                    ob.setAttr("dtype", Tf.dataType(sig.dtypes().get(k)));
                    ob.setAttr("shape", Tf.shape(sig.shapes().get(k)));
                    Output<?> ph = ob.build().output(0);
                    phs.add(ph);
                    ins.add(TfTensor.symbolic(b, tr, ph));
                }
                List<Tensor> outs = fn.apply(ins);
                List<Output<?>> fetches = new ArrayList<>(outs.size());
                for (Tensor o : outs) {
                    fetches.add(tr.resolve(Tf.t(o)));
                }
                return new Traced(g, phs, fetches, tr.finish());
            } finally {
                b.exit(tr);
            }
        }
    }

    /** One session run: feeds, fetches (as host tensors of the current scope) and the update target. */
    static List<Tensor> run(TfBackend b, TfGraph g, List<Output<?>> placeholders, List<org.tensorflow.Tensor> feeds,
            List<Output<?>> fetches, Operation target) {
        Session.Runner r = g.runner();
        for (int i = 0; i < placeholders.size(); i++) {
            r.feed(placeholders.get(i), feeds.get(i));
        }
        for (Output<?> f : fetches) {
            r.fetch(f);
        }
        if (target != null) {
            r.addTarget(target);
        }
        Result res = r.run();
        List<Tensor> out = new ArrayList<>(fetches.size());
        for (int i = 0; i < fetches.size(); i++) {
            out.add(TfTensor.concrete(b, res.get(i)));
        }
        return out;
    }
}
