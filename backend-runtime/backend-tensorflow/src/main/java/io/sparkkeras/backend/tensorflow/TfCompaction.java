package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.utils.NdArray;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Moves a graph's live variables to a fresh graph, leaving the dead ops behind.
 *
 * <p>Why: a graph only grows, and each executor the session builds copies all of it. A model kept open (in a cache,
 * in a notebook) keeps its graph current, and every model made and closed beside it left its ops there: with one
 * small CNN kept open, each new one took 0.37 s to build, fit and close at first and 3.5 s by the thirtieth. The
 * backend calls this when nothing uses the graph, under its lock: the values are read in one run, each variable gets
 * new ops in the fresh graph and its value as a pending initial value ({@link TfPending}), and compiled steps trace
 * again there when next called, as they do after any change of graph.
 *
 * <pre>{@code
 * // TfBackend.enterGraph, under the lock, when the graph holds many closed variables and nothing uses it:
 * graph = TfCompaction.moveLiveVariables(this, old, config, runs);
 * }</pre>
 */
final class TfCompaction {
    private TfCompaction() {
    }

    /**
     * The fresh graph holding {@code old}'s live variables, which now point to it. If reading or building fails,
     * the variables stay in {@code old} and the error goes to the caller.
     */
    static TfGraph moveLiveVariables(TfBackend backend, TfGraph old, ConfigProto config, AtomicLong runs) {
        List<TfVariable> vs = new ArrayList<>(old.live);
        // One run: the pending work first (every live variable initialised), then every value.
        Session.Runner r = old.runner();
        for (TfVariable v : vs) {
            r.fetch(v.readOutput());
        }
        List<NdArray> values = new ArrayList<>(vs.size());
        try (Result res = r.run()) {
            for (int i = 0; i < vs.size(); i++) {
                values.add(Tf.toNd(res.get(i)));
            }
        }
        TfGraph fresh = new TfGraph(old.generation + 1, config, runs);
        List<TfVariable.Binding> bindings = new ArrayList<>(vs.size());
        try {
            for (TfVariable v : vs) {
                bindings.add(v.bindIn(fresh));
            }
        } catch (RuntimeException e) {
            fresh.close();
            throw e;
        }
        for (int i = 0; i < vs.size(); i++) {
            vs.get(i).rebind(bindings.get(i), Tf.toTf(values.get(i)));
            fresh.live.add(vs.get(i));
        }
        fresh.made = vs.size();
        return fresh;
    }
}
