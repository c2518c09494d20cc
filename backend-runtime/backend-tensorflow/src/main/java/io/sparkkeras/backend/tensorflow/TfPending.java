package io.sparkkeras.backend.tensorflow;

import org.tensorflow.Operation;
import org.tensorflow.Result;
import org.tensorflow.Session;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Variable initialisations and destructions waiting for the next session run, done together in one run.
 *
 * <p>Why: every distinct set of feeds and targets makes the {@link Session} build (and keep) a new executor, and
 * building one copies and optimises the whole graph. One run per variable (its initial assignment, its destruction)
 * made building and closing models quadratic in their number: the twelfth small CNN took 45 s. Batched, a model's
 * variables cost one run when it is first used and one when the next model is. One per {@link TfGraph}.
 *
 * <p>Every run of the backend's session starts with {@link #flush()}, so a variable is initialised before any run
 * can read it. The lock is held through the flush's run: a thread that finds nothing pending also knows that what
 * another thread took is done.
 */
final class TfPending {
    /** Past this many closed variables, their destruction runs at once rather than waiting for the next run. */
    private static final int MAX_DESTROYS = 1024;

    private final Session session;
    private final AtomicLong runs;
    private final Set<TfVariable> inits = new LinkedHashSet<>();
    private final List<Operation> destroys = new ArrayList<>();

    TfPending(Session session, AtomicLong runs) {
        this.session = session;
        this.runs = runs;
    }

    /** {@code v}'s initial value ({@link TfVariable#pendingValue}) is assigned by the next flush. */
    synchronized void initLater(TfVariable v) {
        inits.add(v);
    }

    /** Forgets {@code v}'s initialisation if it has not run; true if it had not (the variable never existed). */
    synchronized boolean cancelInit(TfVariable v) {
        return inits.remove(v);
    }

    /** {@code destroy} runs with the next flush. */
    void destroyLater(Operation destroy) {
        boolean full;
        synchronized (this) {
            destroys.add(destroy);
            full = destroys.size() >= MAX_DESTROYS;
        }
        if (full) {
            flush();
        }
    }

    /**
     * Runs everything pending in one session run. If the run fails, everything stays pending (the values are kept)
     * and the error goes to the caller; the next flush tries again.
     */
    synchronized void flush() {
        if (inits.isEmpty() && destroys.isEmpty()) {
            return;
        }
        Session.Runner r = session.runner();
        for (TfVariable v : inits) {
            r.feed(v.placeholder(), v.pendingValue()).addTarget(v.assignOp());
        }
        for (Operation d : destroys) {
            r.addTarget(d);
        }
        runs.incrementAndGet();
        try (Result ignored = r.run()) {
            // Targets only: nothing fetched.
        }
        for (TfVariable v : inits) {
            v.initialised();
        }
        inits.clear();
        destroys.clear();
    }
}
