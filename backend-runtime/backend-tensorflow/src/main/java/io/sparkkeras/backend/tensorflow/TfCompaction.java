package io.sparkkeras.backend.tensorflow;

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
 * backend calls this when nothing uses the graph, under its lock: the values are read in one run (after the pending
 * work's), copied natively, each variable gets new ops in the fresh graph and its value as a pending initial value
 * ({@link TfPending}), and compiled steps trace again there when next called, as they do after any change of graph.
 *
 * <pre>{@code
 * // TfBackend.enterGraph, under the lock, when the graph holds many closed variables and nothing uses it:
 * graph = TfCompaction.moveLiveVariables(old, config, runs);
 * }</pre>
 */
final class TfCompaction {
    private TfCompaction() {
    }

    /**
     * The fresh graph holding {@code old}'s live variables, which now point to it, and {@code old} holds none. Either
     * every variable moves or, if reading, copying or building fails, none does: the fresh graph and the copies are
     * closed and the error goes to the caller, with {@code old} as it was (its pending work done).
     */
    static TfGraph moveLiveVariables(TfGraph old, ConfigProto config, AtomicLong runs) {
        List<TfVariable> vs = new ArrayList<>(old.live);
        List<org.tensorflow.Tensor> values = new ArrayList<>(vs.size());
        List<TfVariable.Binding> bindings = new ArrayList<>(vs.size());
        TfGraph fresh = null;
        try {
            Session.Runner r = old.runner();   // runs the pending work first: every live variable is initialised
            for (TfVariable v : vs) {
                r.fetch(v.readOutput());
            }
            try (Result res = r.run()) {
                for (int i = 0; i < vs.size(); i++) {
                    values.add(Tf.copy(res.get(i)));
                }
            }
            fresh = new TfGraph(old.generation + 1, config, runs);
            for (TfVariable v : vs) {
                bindings.add(v.bindIn(fresh));
            }
        } catch (RuntimeException | Error e) {
            for (org.tensorflow.Tensor t : values) {
                t.close();
            }
            if (fresh != null) {
                fresh.close();
            }
            throw e;
        }
        // Nothing below throws: the variables move together.
        for (int i = 0; i < vs.size(); i++) {
            vs.get(i).rebind(bindings.get(i), values.get(i));
            fresh.live.add(vs.get(i));
        }
        fresh.made = vs.size();
        old.live.clear();
        return fresh;
    }
}
