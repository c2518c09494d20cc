package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.Backend;
import io.sparkkeras.backend.CoreOps;
import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.NnOps;
import io.sparkkeras.backend.NumpyOps;
import io.sparkkeras.backend.OptimizerKernels;
import io.sparkkeras.backend.RandomOps;
import io.sparkkeras.backend.Tensor;
import org.tensorflow.EagerSession;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.proto.ConfigProto;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Keras on TensorFlow through TensorFlow Java. One per JVM, made by {@link TfBackendProvider} when first selected;
 * it loads TensorFlow from the {@code tensorflow-core-native} jar. It owns a {@link Graph} holding the variables and
 * traced steps and the {@link Session} that runs them (a {@link TfGraph}, replaced by a fresh one once its variables
 * are all closed or once it holds many more closed variables than live ones), and an {@link EagerSession} for ops
 * called outside a trace. See the package notes for its decisions.
 *
 * <pre>{@code
 * // java -DKERAS_BACKEND=tensorflow -Dsparkkeras.tensorflow.intra_op_threads=2 ...
 * Backend tf = Backends.get("tensorflow");
 * }</pre>
 */
public final class TfBackend implements Backend {
    /** System property: threads per op (TensorFlow's intra-op pool). Defaults to the number of cores. */
    public static final String INTRA_OP_THREADS = "sparkkeras.tensorflow.intra_op_threads";
    /**
     * System property: ops run in parallel (TensorFlow's inter-op pool). Defaults to the number of cores; a negative
     * value runs each run's ops on the calling thread, which is what several threads sharing the backend want (the
     * pool is shared by all of them).
     */
    public static final String INTER_OP_THREADS = "sparkkeras.tensorflow.inter_op_threads";
    /** Closed variables a graph holds before its live ones move to a fresh graph (see {@link #enterGraph}). */
    static final int COMPACT_MIN_CLOSED = 128;
    /**
     * How long a move of the live variables may hold new users of the graph back while the current ones leave (see
     * {@link #enterGraph}): threads that use the graph back to back may never leave it free on their own.
     */
    static final long DRAIN_NS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200);
    private static final System.Logger LOG = System.getLogger(TfBackend.class.getName());

    /** The current generation of the graph and its session; replaced when unused. Guarded by this. */
    private TfGraph graph;
    /** The graph a thread is draining for a move (new users wait), or null. Guarded by this. */
    private TfGraph draining;
    /** {@link #DRAIN_NS}, or what a test set. Guarded by this. */
    private long drainNs = DRAIN_NS;
    /** Drains that gave up, the graph still held at their deadline (for tests). Guarded by this. */
    private long drainsGivenUp;
    /** Graphs this thread holds: a holder enters again at once, never waiting for a drain that waits for it. */
    private final ThreadLocal<int[]> held = ThreadLocal.withInitial(() -> new int[1]);
    private final AtomicLong runs = new AtomicLong();
    /**
     * Held while a trace is built (and while a variable's ops are), so that graphs are built one thread at a time.
     * TF Java runs a custom gradient ({@link TfGradients}) with the whole {@code Graph} switched to builders that
     * skip its lock (TensorFlow's gradient builder holds it), so an op another thread added to the graph meanwhile
     * raced the gradient builder, which then failed the step: "BUG: The gradients prefix have been unexpectedly
     * altered" (seen in CI, two Spark workers tracing their first steps at once). Taken after {@link #enterGraph},
     * before this object's monitor. It is held across the user's code that a trace runs (layers' {@code call},
     * losses, metrics, a {@code valueAndGrad} function): code there must not wait for another thread that builds
     * a model or traces on this backend (the data-parallel allreduce runs between traced steps, not in them).
     */
    final java.util.concurrent.locks.ReentrantLock building = new java.util.concurrent.locks.ReentrantLock();
    private final EagerSession eager;
    private final Ops eagerOps;
    private final ConfigProto config;
    private final TfScope rootScope;
    private final ThreadLocal<TfTrace> trace = new ThreadLocal<>();
    private final AtomicLong ids = new AtomicLong();
    private final TfCore core;
    private final TfNumpy numpy;
    private final TfNn nn;
    private final TfRandom random;
    private final TfOptimizerKernels kernels;

    TfBackend() {
        int cores = Runtime.getRuntime().availableProcessors();
        this.config = ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(Integer.getInteger(INTRA_OP_THREADS, cores))
                .setInterOpParallelismThreads(Integer.getInteger(INTER_OP_THREADS, cores))
                .build();
        this.graph = new TfGraph(1, config, runs);
        this.eager = EagerSession.options().config(config).build();
        this.eagerOps = Ops.create(eager);
        this.rootScope = TfScope.root(this);
        TfGradients.register();
        this.core = new TfCore(this);
        this.numpy = new TfNumpy(this);
        this.nn = new TfNn(this);
        this.random = new TfRandom(this);
        this.kernels = new TfOptimizerKernels(this);
    }

    @Override
    public String name() {
        return "tensorflow";
    }

    @Override
    public CoreOps core() {
        return core;
    }

    @Override
    public NumpyOps numpy() {
        return numpy;
    }

    @Override
    public NnOps nn() {
        return nn;
    }

    @Override
    public RandomOps random() {
        return random;
    }

    /** TensorFlow's fused training ops, used by the optimizers inside traced steps. */
    @Override
    public OptimizerKernels optimizerKernels() {
        return kernels;
    }

    // ---- engine state

    /** The current graph (for tests: what a new variable or trace would use now). */
    synchronized TfGraph currentGraph() {
        return graph;
    }

    /** Drains for a move that gave up because the graph stayed held (for tests). */
    synchronized long drainsGivenUp() {
        return drainsGivenUp;
    }

    /** Session runs so far (each runner is run once), the pending flushes included: what tests count. */
    long sessionRuns() {
        return runs.get();
    }

    /**
     * The current graph, held until {@link #exitGraph}: for a trace being built, a run in flight, or a variable call.
     * While any thread holds it, it stays the current graph and every live variable stays in it. When it holds many
     * dead ops, its live variables move to a fresh graph first ({@link TfCompaction}), which needs a moment when
     * nothing holds it: if other threads do, this thread (holding none) drains it, holding new users back for up to
     * {@link #DRAIN_NS} while they leave (threads already holding a graph go on, so none waits for itself), then
     * moves, or gives up and tries again after {@link #COMPACT_MIN_CLOSED} more variables. One drain at a time: a
     * thread that waited for one goes in after it without starting another.
     */
    TfGraph enterGraph() {
        return enterGraph(true);
    }

    /** As {@link #enterGraph()}; {@code mayMove} false for closing a variable (it need not move just before). */
    TfGraph enterGraph(boolean mayMove) {
        int[] mine = held.get();
        TfGraph old = null;
        TfGraph g;
        synchronized (this) {
            // A thread that waited for another's drain goes in: that drain moved, or gave up and backed off.
            if (mine[0] == 0 && !awaitDrain() && mayMove && worthCompacting(graph)) {
                TfGraph target = graph;
                if ((target.users == 0 || drain(target)) && worthCompacting(graph)) {
                    old = moveLiveVariables();
                } else if (graph == target && target.users > 0) {
                    target.moveAfterMade = target.made + COMPACT_MIN_CLOSED;   // held throughout: later
                    drainsGivenUp++;
                }
            }
            g = graph;
            g.users++;
        }
        mine[0]++;
        try {
            closeQuietly(old);   // outside the lock: nothing uses it, and other threads need not wait for it
        } catch (Throwable t) {
            exitGraph(g);   // an Error closing the old graph must not leave this hold behind
            throw t;
        }
        return g;
    }

    /**
     * Waits (holding no graph) while another thread drains the graph for a move; that thread ends its drain by its
     * deadline. Returns whether there was one.
     */
    private boolean awaitDrain() {
        boolean waited = false;
        while (draining != null) {
            waited = true;
            if (!timedWait(drainNs)) {
                break;   // interrupted: go in (the drainer gives up at its deadline at worst)
            }
        }
        return waited;
    }

    /**
     * Holds new users back until the current ones leave {@code target}, or the drain time passes. Returns whether
     * {@code target} is still the graph, now unused.
     */
    private boolean drain(TfGraph target) {
        draining = target;
        long deadline = System.nanoTime() + drainNs;
        try {
            while (graph == target && target.users > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !timedWait(left)) {
                    break;
                }
            }
            return graph == target && target.users == 0;
        } finally {
            draining = null;
            notifyAll();
        }
    }

    /** Sets how long a drain holds new users back (tests); returns the previous value. */
    synchronized long drainNanos(long nanos) {
        long previous = drainNs;
        drainNs = nanos;
        return previous;
    }

    /** Waits on this object's monitor; false if interrupted (the flag is set again: waiting only saves time). */
    private boolean timedWait(long nanos) {
        try {
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, nanos);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Moves the live variables to a fresh graph; returns the old graph for the caller to close, or null. */
    private TfGraph moveLiveVariables() {
        try {
            TfGraph fresh = TfCompaction.moveLiveVariables(graph, config, runs);
            TfGraph old = graph;
            graph = fresh;
            return old;
        } catch (RuntimeException | OutOfMemoryError e) {
            // Moving only saves time: keep the graph, and try again after as many variables more.
            graph.moveAfterMade = graph.made + COMPACT_MIN_CLOSED;
            LOG.log(System.Logger.Level.WARNING, "TensorFlow: could not move " + graph.live.size()
                    + " live variables to a fresh graph; keeping graph " + graph.generation, e);
            return null;
        }
    }

    /**
     * Whether {@code g} holds enough dead ops to be worth a fresh graph that its live variables move to: at least
     * {@link #COMPACT_MIN_CLOSED} closed variables, and twice as many as live ones, so that the cost of moving (one
     * run reading the live variables, their models tracing their steps again) stays small next to what the dead ops
     * cost each new executor.
     */
    private static boolean worthCompacting(TfGraph g) {
        long closed = g.closedVariables();
        return !g.live.isEmpty() && g.made >= g.moveAfterMade && closed >= COMPACT_MIN_CLOSED
                && closed >= 2L * g.live.size();
    }

    private static void closeQuietly(TfGraph g) {
        if (g == null) {
            return;
        }
        try {
            g.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "TensorFlow: could not close replaced graph " + g.generation, e);
        }
    }

    void exitGraph(TfGraph g) {
        held.get()[0]--;
        TfGraph retired;
        synchronized (this) {
            g.users--;
            if (g.users == 0 && draining == g) {
                notifyAll();   // the drain for a move is over
            }
            retired = retireIfUnused(g);
        }
        closeQuietly(retired);   // outside the lock: nothing uses it, and other threads need not wait for it
    }

    /** Counts {@code v} as live in {@code g}, which the caller holds ({@link #enterGraph}). */
    synchronized void addVariable(TfGraph g, TfVariable v) {
        g.live.add(v);
        g.made++;
    }

    /** {@code v} is closed; the caller holds {@code g}, which is replaced at {@link #exitGraph} if it was the last. */
    synchronized void removeVariable(TfGraph g, TfVariable v) {
        if (!g.live.remove(v)) {
            throw new IllegalStateException("A TensorFlow variable was released twice");
        }
    }

    /**
     * Replaces {@code g} with an empty graph once it has had variables and nothing uses it any more: every model made
     * in it is closed. Every live variable is in the current graph, so a compiled step with variables never sees its
     * graph go while its model lives, except when the live variables move ({@link #enterGraph}); a step whose graph
     * went traces again in the new one. A graph that never had variables is kept: it holds traces only, so it does
     * not grow from model to model. Returns the replaced graph, for the caller to close outside the lock.
     */
    private TfGraph retireIfUnused(TfGraph g) {
        if (g == graph && g.made > 0 && g.live.isEmpty() && g.users == 0) {
            graph = new TfGraph(g.generation + 1, config, runs);
            return g;
        }
        return null;
    }

    ConfigProto config() {
        return config;
    }

    TfScope rootScope() {
        return rootScope;
    }

    long nextId() {
        return ids.incrementAndGet();
    }

    /** The trace running on this thread, or {@code null} outside one. */
    TfTrace trace() {
        return trace.get();
    }

    void enter(TfTrace t) {
        if (trace.get() != null) {
            throw new IllegalStateException("A TensorFlow step is already being traced on this thread");
        }
        trace.set(t);
    }

    void exit(TfTrace t) {
        if (trace.get() == t) {
            trace.remove();
        }
    }

    /**
     * A sub-scope of {@code g}'s root for a traced step. Making one reads the name of every op in the graph (TF Java
     * imports the names in use), so variables, made far more often, use {@link TfGraph#opBuilder} instead. The root
     * name scope is shared, so its users hold the backend lock.
     */
    synchronized Ops graphSubScope(TfGraph g, String prefix) {
        return g.ops.withSubScope(prefix + "_" + nextId());
    }

    // ---- building ops in the current context

    /** The scope new ops go to on this thread: the trace's, or the eager session's. */
    Scope scope() {
        TfTrace t = trace.get();
        return t != null ? t.scope() : eagerOps.scope();
    }

    /** {@code x} as an input of an op built on this thread (captured into a trace if it comes from outside). */
    Output<?> in(Tensor x) {
        TfTensor t = Tf.t(x);
        TfTrace tr = trace.get();
        if (tr != null) {
            return tr.resolve(t);
        }
        return t.eagerOutput();
    }

    /** Wraps an op's output made on this thread. */
    TfTensor wrap(Output<?> out) {
        TfTrace tr = trace.get();
        return tr != null ? TfTensor.symbolic(this, tr, out) : TfTensor.eager(this, out);
    }

    /** Builds one op in the current context and returns its first output. */
    Output<?> op(String type, Consumer<OperationBuilder> attrs, Output<?>... inputs) {
        return build(type, attrs, inputs).output(0);
    }

    Output<?> op(String type, Output<?>... inputs) {
        return build(type, null, inputs).output(0);
    }

    Operation build(String type, Consumer<OperationBuilder> attrs, Output<?>... inputs) {
        TfTrace tr = trace.get();
        Scope s = tr != null ? tr.scope() : eagerOps.scope();
        OperationBuilder ob = s.opBuilder(type, type);
        for (Output<?> in : inputs) {
            ob.addInput(in);
        }
        if (attrs != null) {
            attrs.accept(ob);
        }
        if (tr != null) {
            tr.decorate(ob);
        }
        return ob.build();
    }

    /** A constant in the current context holding {@code value}, which this call closes. */
    Output<?> constant(org.tensorflow.Tensor value) {
        try (value) {
            return op("Const", ob -> {
                ob.setAttr("value", value);
                ob.setAttr("dtype", value.dataType());
            });
        }
    }

    /** An eager constant holding a copy of {@code value} (the caller keeps ownership). */
    Output<?> eagerConstant(org.tensorflow.Tensor value) {
        OperationBuilder ob = eagerOps.scope().opBuilder("Const", "Const");
        ob.setAttr("value", value);
        ob.setAttr("dtype", value.dataType());
        return ob.build().output(0);
    }

    Output<?> constInts(int... v) {
        return constant(org.tensorflow.types.TInt32.vectorOf(v));
    }

    Output<?> constLongs(long... v) {
        return constant(org.tensorflow.types.TInt64.vectorOf(v));
    }

    Output<?> constInt(int v) {
        return constant(org.tensorflow.types.TInt32.scalarOf(v));
    }

    /** A scalar constant of {@code dtype} in the current context. */
    Output<?> constScalar(double v, DType dtype) {
        return constant(scalarTensor(v, dtype));
    }

    static org.tensorflow.Tensor scalarTensor(double v, DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> org.tensorflow.types.TFloat32.scalarOf((float) v);
            case FLOAT64 -> org.tensorflow.types.TFloat64.scalarOf(v);
            case INT32 -> org.tensorflow.types.TInt32.scalarOf((int) v);
            case INT64 -> org.tensorflow.types.TInt64.scalarOf((long) v);
            case UINT8 -> org.tensorflow.types.TUint8.scalarOf((byte) v);
            case BOOL -> org.tensorflow.types.TBool.scalarOf(v != 0);
        };
    }

    /** {@code x} cast to {@code dtype} in the current context (unchanged if it already is). */
    Output<?> cast(Output<?> x, DType dtype) {
        if (Tf.dtype(x.dataType()) == dtype) {
            return x;
        }
        return op("Cast", ob -> ob.setAttr("DstT", Tf.dataType(dtype)), x);
    }
}
