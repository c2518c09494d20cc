package io.sparkkeras.backend.tensorflow;

import org.tensorflow.Graph;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One generation of the backend's graph: the {@link Graph} holding variables and traced steps, and the
 * {@link Session} that runs them. A graph only grows, and every new executor the session builds copies and optimises
 * all of it, so a JVM that builds model after model would slow down with each (by the 110th small CNN of a loop,
 * each fit took about 20 s). So the backend replaces it when nothing uses it (no trace being built, no run or
 * variable call in flight): with an empty one once its variables are all closed, and with one its live variables
 * move to once it holds many more closed variables than live ones (a model kept open, say in a cache, while others
 * come and go).
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
    /** Live variables in this graph. */
    final Set<TfVariable> live = new LinkedHashSet<>();
    /** Variables made in (or moved to) this graph: those not live are closed, their ops left behind. */
    long made;
    /** After a failed move of the live variables, none is tried again before this many were made. */
    long moveAfterMade;
    /** Traces being built, runs in flight and variable calls. */
    int users;

    TfGraph(long generation, ConfigProto config, AtomicLong runs) {
        this.generation = generation;
        this.graph = new Graph();
        this.ops = Ops.create(graph);
        this.session = new Session(graph, config);
        this.pending = new TfPending(session, runs);
        this.runs = runs;
    }

    /** Live variables in this graph (for tests). */
    int variables() {
        return live.size();
    }

    /** Variables made here and closed since: a measure of the dead ops the graph holds. */
    long closedVariables() {
        return made - live.size();
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
