package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.StepFunction;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.VariableState;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.FitOptions;
import io.sparkkeras.models.Model;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.saving.Models;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operation;
import org.tensorflow.Result;
import org.tensorflow.types.TBool;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Variables cost session runs per batch, not per variable: each new set of feeds and fetches makes the session
 * copy and optimise the whole graph, so one run per variable made building and closing models quadratic in their
 * number. Their initial assignments and destructions wait for the next run ({@link TfPending}); saving and
 * {@code getWeights} read all variables in one run; once a graph's last variable closes, the backend starts a
 * fresh graph ({@link TfGraph}), so the next model does not pay for the ones before it; and a model kept open moves
 * to a fresh graph once closed ones pile up beside it ({@link TfCompaction}).
 */
@Tag("tensorflow")
@Timeout(120)
class TfVariableRunsTest {
    private Backends.Selection selection;
    private TfBackend tf;

    @BeforeEach
    void select() {
        selection = Backends.use("tensorflow");
        tf = (TfBackend) Backends.current();
    }

    @AfterEach
    void restore() {
        selection.close();
    }

    private static NdArray values(int n, float base) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = base + i;
        }
        return NdArray.of(v);
    }

    @Test
    void fortyVariablesAreMadeReadAndClosedInTwoRuns() {
        tf.currentGraph().pending.flush();
        long before = tf.sessionRuns();
        List<Variable> vs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            vs.add(new Variable("w" + i, values(3, 10 * i), true));
        }
        assertEquals(before, tf.sessionRuns(), "making variables runs nothing yet");

        List<NdArray> read = Variable.numpy(vs);
        for (int i = 0; i < 40; i++) {
            assertArrayEquals(values(3, 10 * i).toFloatArray(), read.get(i).toFloatArray(), "variable " + i);
        }
        assertEquals(before + 2, tf.sessionRuns(), "one run initialises all 40, one reads all 40");

        for (Variable v : vs) {
            v.close();
        }
        assertEquals(before + 2, tf.sessionRuns(), "closing waits for the next run");
    }

    @Test
    void closedVariablesAreDestroyedByTheNextRun() {
        // Another live variable keeps the graph from being replaced, which would free everything at once.
        try (VariableState keeper = tf.core().newVariable("keeper", values(1, 0), true)) {
            TfVariable v = (TfVariable) tf.core().newVariable("doomed", values(4, 1), true);
            assertArrayEquals(values(4, 1).toFloatArray(),
                    tf.core().readVariables(List.of(v)).get(0).toFloatArray());
            assertTrue(exists(v), "initialised by the read's run");
            v.close();
            // exists() runs the session: the pending destruction goes first.
            assertFalse(exists(v), "destroyed by the next run");
        }
    }

    @Test
    void aVariableClosedBeforeAnyRunIsNeverCreated() {
        try (VariableState keeper = tf.core().newVariable("keeper", values(1, 0), true)) {
            tf.currentGraph().pending.flush();
            long before = tf.sessionRuns();
            TfVariable v = (TfVariable) tf.core().newVariable("never", values(2, 0), true);
            v.close();
            assertFalse(exists(v));
            assertEquals(before + 1, tf.sessionRuns(), "only exists()'s own run: nothing was pending");
        }
    }

    @Test
    void aValueTheVariableCannotHoldIsRefusedBeforeItIsPending() {
        try (Variable v = new Variable("w", values(3, 0), true)) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> v.assign(values(4, 0)));
            assertTrue(e.getMessage().contains("shape"), e.getMessage());
            assertArrayEquals(new float[] {0, 1, 2}, v.numpy().toFloatArray(), "the initial value still runs");
        }
    }

    @Test
    void assigningBeforeTheFirstRunReplacesTheInitialValue() {
        try (Variable v = new Variable("loaded", values(3, 0), true)) {
            long before = tf.sessionRuns();
            v.assign(values(3, 7));
            assertArrayEquals(new float[] {7, 8, 9}, v.numpy().toFloatArray());
            assertEquals(before, tf.sessionRuns(), "a model being loaded costs no run per weight");
            v.assignAdd(io.sparkkeras.ops.Ops.convertToTensor(values(3, 1)));
            assertArrayEquals(new float[] {8, 10, 12}, v.numpy().toFloatArray());
        }
    }

    @Test
    void threadsMakingAndReadingVariablesSeeTheirOwnValues() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int thread = t;
                fs.add(pool.submit(() -> {
                    try (Backends.Selection s = Backends.use("tensorflow")) {
                        for (int i = 0; i < 100; i++) {
                            float base = thread * 1000 + i;
                            try (Variable v = new Variable("t" + thread + "_" + i, values(2, base), true)) {
                                // value() outside a trace runs the session: the pending assignment must be done.
                                assertArrayEquals(values(2, base).toFloatArray(), v.value().toFloatArray(),
                                        "thread " + thread + ", variable " + i);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void twoThreadsBuildFitAndCloseModelsWhileGraphsAreReplaced() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<float[]>> fs = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                fs.add(pool.submit(() -> {
                    float[] last = null;
                    try (Backends.Selection s = Backends.use("tensorflow")) {
                        for (int i = 0; i < 6; i++) {
                            try (Sequential m = mlp()) {
                                fitOnce(m);
                                float[] p = m.predict(NdArray.zeros(DType.FLOAT32, Shape.of(2, 4))).toFloatArray();
                                for (float f : p) {
                                    assertTrue(Float.isFinite(f), "a finite prediction");
                                }
                                last = p;
                            }
                        }
                    }
                    return last;
                }));
            }
            for (Future<float[]> f : fs) {
                assertEquals(6, f.get().length);
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void savingAndLoadingTakeAsManyRunsForTenLayersAsForTwo(@TempDir Path dir) {
        long[] small = saveAndLoad(2, dir.resolve("small.keras"));
        long[] large = saveAndLoad(10, dir.resolve("large.keras"));
        assertEquals(small[0], large[0], "runs to save: all weights and slots are read in one run");
        assertEquals(small[1], large[1], "runs to load: the saved values replace the initial ones before any run");
    }

    @Test
    void setWeightsOnATrainedModelTakesOneRun() {
        for (int layers : new int[] {2, 10}) {
            try (Sequential m = deep(layers)) {
                fitOnce(m);
                List<NdArray> w = m.getWeights();
                List<NdArray> doubled = new ArrayList<>();
                for (NdArray a : w) {
                    NdArray d = NdArray.zeros(a.dtype(), a.shape());
                    float[] f = a.toFloatArray();
                    for (int i = 0; i < f.length; i++) {
                        d.buffer().putFloat(4 * i, 2 * f[i]);
                    }
                    doubled.add(d);
                }
                tf.currentGraph().pending.flush();
                long before = tf.sessionRuns();
                m.setWeights(doubled);
                assertEquals(before + 1, tf.sessionRuns(), layers + " layers: one run for all weights");
                for (int i = 0; i < w.size(); i++) {
                    assertArrayEquals(doubled.get(i).toFloatArray(), m.getWeights().get(i).toFloatArray());
                }
            }
        }
    }

    @Test
    void loadingWeightsIntoATrainedModelTakesAsManyRunsForTenLayersAsForTwo(@TempDir Path dir) {
        long[] runs = new long[2];
        int k = 0;
        for (int layers : new int[] {2, 10}) {
            try (Sequential m = deep(layers)) {
                fitOnce(m);
                Path file = dir.resolve(layers + ".weights.h5");
                Models.saveWeights(m, file);
                List<NdArray> saved = m.getWeights();
                fitOnce(m);   // moves the weights and Adam's slots away from the file's
                tf.currentGraph().pending.flush();
                long before = tf.sessionRuns();
                Models.loadWeights(m, file);
                runs[k++] = tf.sessionRuns() - before;
                for (int i = 0; i < saved.size(); i++) {
                    assertArrayEquals(saved.get(i).toFloatArray(), m.getWeights().get(i).toFloatArray());
                }
            }
        }
        assertEquals(runs[0], runs[1], "weights and slots are assigned in one run, whatever their number");
    }

    /** Fits and saves a model of {@code layers} Dense layers, loads it; returns the runs each took. */
    private long[] saveAndLoad(int layers, Path file) {
        NdArray x = NdArray.zeros(DType.FLOAT32, Shape.of(8, 4));
        NdArray y = NdArray.zeros(DType.INT32, Shape.of(8));
        Sequential m = deep(layers);
        long[] runs = new long[2];
        try (m) {
            m.compile(new Adam(1e-3), SparseCategoricalCrossentropy.builder().fromLogits(true).build(), List.of());
            m.fit(x, y, new FitOptions().epochs(1).batchSize(8).verbose(0));
            tf.currentGraph().pending.flush();
            long before = tf.sessionRuns();
            m.save(file);
            runs[0] = tf.sessionRuns() - before;
        }
        tf.currentGraph().pending.flush();
        long before = tf.sessionRuns();
        try (Model loaded = Models.load(file)) {
            runs[1] = tf.sessionRuns() - before;
            assertEquals(2 * (layers + 1), loaded.getWeights().size());
        }
        return runs;
    }

    @Test
    void closingTheLastModelReplacesTheGraphAndTheNextStartsAfresh() {
        assertEquals(0, tf.currentGraph().variables(), "a variable left open by an earlier test");
        TfGraph first = tf.currentGraph();
        try (Sequential m = mlp()) {
            fitOnce(m);
            assertSame(first, tf.currentGraph(), "kept while the model lives");
        }
        TfGraph second = tf.currentGraph();
        assertNotSame(first, second, "replaced once its last variable closed");
        assertEquals(0, operations(second), "the new graph starts empty");
        try (Sequential m = mlp()) {
            fitOnce(m);
            assertArrayEquals(m.getWeights().get(0).toFloatArray(), Variable.numpy(m.weights()).get(0).toFloatArray());
        }
        assertNotSame(second, tf.currentGraph());
    }

    @Test
    void aStepWithoutVariablesOutlivesItsGraphAndTracesAgain() {
        assertEquals(0, tf.currentGraph().variables(), "a variable left open by an earlier test");
        StepFunction twice = tf.core().compile("twice", in -> List.of(Ops.multiply(in.get(0), 2.0)), false);
        try (io.sparkkeras.backend.Scope s = tf.core().newScope()) {
            Tensor x = Ops.convertToTensor(values(3, 1));
            assertArrayEquals(new float[] {2, 4, 6}, twice.apply(List.of(x)).get(0).toFloatArray());
            TfGraph before = tf.currentGraph();
            new Variable("brief", values(1, 0), true).close();   // the graph's only variable: it is replaced
            assertNotSame(before, tf.currentGraph());
            assertArrayEquals(new float[] {2, 4, 6}, twice.apply(List.of(x)).get(0).toFloatArray());
        }
    }

    @Test
    void aGraphWithALiveVariableIsKept() {
        try (Variable kept = new Variable("kept", values(2, 5), true)) {
            TfGraph g = tf.currentGraph();
            new Variable("brief", values(1, 0), true).close();
            assertSame(g, tf.currentGraph());
            assertArrayEquals(new float[] {5, 6}, kept.numpy().toFloatArray());
        }
    }

    @Test
    void aModelKeptOpenMovesToAFreshGraphOnceClosedModelsPileUp() {
        NdArray x = values(8, 0.25f).reshape(2, 4);
        try (Sequential kept = mlp()) {
            fitOnce(kept);
            List<NdArray> weights = Variable.numpy(kept.weights());
            List<NdArray> slots = Variable.numpy(kept.optimizer().variables());
            long iterations = kept.optimizer().iterations();
            float[] predicted = kept.predict(x).toFloatArray();
            TfGraph first = tf.currentGraph();
            int rounds = 0;
            while (tf.currentGraph() == first) {
                assertTrue(++rounds < 100, "the live variables never moved");
                try (Sequential m = mlp()) {
                    fitOnce(m);
                }
            }
            TfGraph moved = tf.currentGraph();
            assertTrue(moved.generation > first.generation);
            // Values and optimizer state came across bit for bit, and the model goes on in the fresh graph.
            assertValuesEqual(weights, Variable.numpy(kept.weights()));
            assertValuesEqual(slots, Variable.numpy(kept.optimizer().variables()));
            assertEquals(iterations, kept.optimizer().iterations());
            assertArrayEquals(predicted, kept.predict(x).toFloatArray());
            kept.fit(NdArray.zeros(DType.FLOAT32, Shape.of(8, 4)), NdArray.zeros(DType.INT32, Shape.of(8)),
                    new FitOptions().epochs(1).batchSize(8).verbose(0));
            assertEquals(iterations + 1, kept.optimizer().iterations());
        }
    }

    @Test
    void twoThreadsBuildAndCloseModelsWhileAKeptModelPredictsAndMoves() throws Exception {
        NdArray x = values(8, 0.25f).reshape(2, 4);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        // Long enough for any run or trace in flight to end on a loaded CI machine: a drain then never gives up.
        long drainNs = tf.drainNanos(TimeUnit.SECONDS.toNanos(20));
        try (Sequential kept = mlp()) {
            fitOnce(kept);
            float[] predicted = kept.predict(x).toFloatArray();
            long generation = tf.currentGraph().generation;
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                fs.add(pool.submit(() -> {
                    try (Backends.Selection s = Backends.use("tensorflow")) {
                        for (int i = 0; i < 12; i++) {
                            try (Sequential m = mlp()) {
                                fitOnce(m);
                                m.predict(x);
                            }
                        }
                    }
                    return null;
                }));
            }
            while (!fs.stream().allMatch(Future::isDone)) {
                assertArrayEquals(predicted, kept.predict(x).toFloatArray());
            }
            for (Future<?> f : fs) {
                f.get();
            }
            // Three threads using the graph back to back leave it free for no moment of their own; the move drained
            // it (held new users back while the others left), so it happened while they ran.
            assertTrue(tf.currentGraph().generation > generation, "the kept model's variables moved");
            assertArrayEquals(predicted, kept.predict(x).toFloatArray());
        } finally {
            tf.drainNanos(drainNs);
            pool.shutdownNow();
            pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void aDrainForAMoveGivesUpOnAHolderAndNeverBlocksItsOwnNestedCalls() throws Exception {
        NdArray x = values(8, 0.25f).reshape(2, 4);
        long drainMs = 1000;
        long drainNs = tf.drainNanos(TimeUnit.MILLISECONDS.toNanos(drainMs));
        ExecutorService holder = Executors.newSingleThreadExecutor();
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        try (Sequential kept = mlp()) {
            fitOnce(kept);
            float[] predicted = kept.predict(x).toFloatArray();
            long generation = tf.currentGraph().generation;
            long givenUp = tf.drainsGivenUp();
            // A thread that holds the graph throughout (a long run, say) and keeps calling the model meanwhile.
            Future<Long> held = holder.submit(() -> {
                try (Backends.Selection s = Backends.use("tensorflow")) {
                    TfGraph g = tf.enterGraph();
                    try {
                        entered.countDown();
                        long slowestNs = 0;
                        while (!stop.get()) {
                            long t0 = System.nanoTime();
                            assertArrayEquals(predicted, kept.predict(x).toFloatArray());
                            slowestNs = Math.max(slowestNs, System.nanoTime() - t0);
                        }
                        return slowestNs / 1_000_000;
                    } finally {
                        tf.exitGraph(g);
                    }
                }
            });
            assertTrue(entered.await(60, TimeUnit.SECONDS));
            // Closed variables pile up beside the kept model: a move comes due, its drain waits for the holder,
            // gives up at its deadline, and the next try waits for 128 more variables.
            long t0 = System.nanoTime();
            for (int i = 0; i < 12; i++) {
                try (Sequential m = mlp()) {
                    fitOnce(m);
                }
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long drains = tf.drainsGivenUp() - givenUp;
            stop.set(true);
            long slowestNestedMs = held.get(60, TimeUnit.SECONDS);
            assertTrue(drains >= 1 && drains <= 2, drains + " drains gave up");
            assertTrue(ms >= drains * drainMs, ms + " ms for " + drains + " drains");
            assertTrue(slowestNestedMs < drainMs, "the holder's calls during the drains took up to "
                    + slowestNestedMs + " ms: they must not wait for a drain that waits for them");
            assertEquals(generation, tf.currentGraph().generation, "no move while the graph was held");
            assertArrayEquals(predicted, kept.predict(x).toFloatArray());
        } finally {
            stop.set(true);
            tf.drainNanos(drainNs);
            holder.shutdownNow();
            holder.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    private static void assertValuesEqual(List<NdArray> expected, List<NdArray> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).toFloatArray(), actual.get(i).toFloatArray(), "variable " + i);
        }
    }

    /** {@code layers} Dense layers of 8 units and a Dense 3 head: a model with many variables, each small. */
    private static Sequential deep(int layers) {
        Sequential m = new Sequential(new Input(4));
        for (int i = 0; i < layers; i++) {
            m.add(new Dense(8, "relu"));
        }
        m.add(new Dense(3));
        return m;
    }

    private static Sequential mlp() {
        return new Sequential(new Input(4), new Dense(8, "relu"), new Dense(3));
    }

    private static void fitOnce(Sequential m) {
        m.compile(new Adam(1e-3), SparseCategoricalCrossentropy.builder().fromLogits(true).build(), List.of());
        m.fit(NdArray.zeros(DType.FLOAT32, Shape.of(8, 4)), NdArray.zeros(DType.INT32, Shape.of(8)),
                new FitOptions().epochs(1).batchSize(8).verbose(0));
    }

    private static int operations(TfGraph g) {
        int n = 0;
        for (java.util.Iterator<?> it = g.graph.operations(); it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }

    /** Whether {@code v}'s resource exists in the session ({@code VarIsInitializedOp}). */
    private boolean exists(TfVariable v) {
        Operation op;
        synchronized (tf) {
            op = v.graph().opBuilder("VarIsInitializedOp", "exists").addInput(v.binding().handle()).build();
        }
        try (Result r = v.graph().runner().fetch(op.output(0)).run()) {
            return ((TBool) r.get(0)).getBoolean();
        }
    }
}
