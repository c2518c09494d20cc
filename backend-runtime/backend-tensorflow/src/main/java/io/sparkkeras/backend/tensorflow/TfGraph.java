package io.sparkkeras.backend.tensorflow;

import org.tensorflow.Graph;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One generation of the backend's graph: the {@link Graph} holding variables and traced steps, and the
 * {@link Session} that runs them. The backend replaces it with a fresh one once its variables are all closed and
 * nothing else uses it (no trace being built, no run in flight), because a graph only grows: every new executor the
 * session builds copies and optimises all of it, so a JVM that builds model after model would otherwise slow down
 * with each (by the 110th small CNN of a loop, each fit took about 20 s).
 *
 * <p>The counts are guarded by the backend's lock ({@link TfBackend}).
 */
final class TfGraph implements AutoCloseable {
    final long generation;
    final Graph graph;
    final Ops ops;
    final Session session;
    final TfPending pending;
    private final AtomicLong runs;
    /** Live variables made in this graph. */
    int variables;
    /** Traces being built and runs in flight. */
    int users;
    /** Whether a variable was ever made in it: only then is it replaced when unused. */
    boolean hadVariables;

    TfGraph(long generation, ConfigProto config, AtomicLong runs) {
        this.generation = generation;
        this.graph = new Graph();
        this.ops = Ops.create(graph);
        this.session = new Session(graph, config);
        this.pending = new TfPending(session, runs);
        this.runs = runs;
    }

    /** Builds an op named {@code name} (made unique) at the graph's root, in constant time. Hold the backend lock. */
    OperationBuilder opBuilder(String type, String name) {
        return ops.scope().opBuilder(type, name);
    }

    /** A runner of this graph's session, after the variable work waiting for it. */
    Session.Runner runner() {
        pending.flush();
        runs.incrementAndGet();
        return session.runner();
    }

    @Override
    public void close() {
        // Closing the session frees every variable still in it: pending destructions need not run.
        session.close();
        graph.close();
    }
}
