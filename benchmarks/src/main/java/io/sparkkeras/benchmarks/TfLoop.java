package io.sparkkeras.benchmarks;

import io.sparkkeras.examples.ReferenceModels;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The baseline for the TensorFlow backend: the reference MLP or CNN trained by a loop written directly against
 * TensorFlow Java, as a user without Keras would — one graph built by hand with {@code tf.*} ops (resource
 * variables, {@code SoftmaxCrossEntropyWithLogits} on one-hot labels, gradients from {@code Graph.addGradients},
 * the fused {@code ResourceApplyAdam} under control dependencies) and a {@code Session.run} per batch that feeds the
 * batch and fetches the loss (and, with {@code metrics}, the count of right predictions, as our {@code fit} keeps
 * accuracy for a model compiled with it). The batches are the same shuffled ones as {@link DjlLoop}'s (a training loop
 * shuffles, as {@code fit} does by default); a last partial batch is dropped, since the graph has a fixed batch.
 */
final class TfLoop {
    private TfLoop() {
    }

    /** Trains one epoch after {@code warmup} batches; returns samples per second. */
    static double train(boolean cnn, float[] x, int[] y, int n, int batch, int warmup, int threads,
            boolean metrics) {
        ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(threads)
                .setInterOpParallelismThreads(threads).build();
        try (Graph g = new Graph(); Session s = new Session(g, config)) {
            Ops tf = Ops.create(g);
            Random rnd = new Random(42);
            List<Output<?>> handles = new ArrayList<>();
            List<Op> inits = new ArrayList<>();
            Placeholder<TFloat32> xs = tf.placeholder(TFloat32.class,
                    Placeholder.shape(cnn ? Shape.of(batch, 28, 28, 1) : Shape.of(batch, 784)));
            Placeholder<TInt32> ys = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(batch)));
            List<Operand<TFloat32>> reads = new ArrayList<>();
            // The same model as ours: the reference models standardize their pixels first (ReferenceModels).
            Operand<TFloat32> in = tf.math.add(tf.math.mul(xs, tf.constant((float) (1 / ReferenceModels.PIXEL_STD))),
                    tf.constant((float) (-ReferenceModels.PIXEL_MEAN / ReferenceModels.PIXEL_STD)));
            Operand<TFloat32> logits;
            if (cnn) {
                Operand<TFloat32> h = conv(tf, in, 3, 1, 32, rnd, handles, inits, reads);
                h = pool(tf, h);
                h = conv(tf, h, 3, 32, 64, rnd, handles, inits, reads);
                h = pool(tf, h);
                h = tf.reshape(h, tf.constant(new long[] {batch, 5 * 5 * 64}));
                // Dropout 0.5: keep where uniform >= 0.5, scale by 2.
                Operand<TFloat32> u = tf.random.randomUniform(tf.constant(new long[] {batch, 1600}), TFloat32.class);
                Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(u, tf.constant(0.5f)), TFloat32.class);
                h = tf.math.mul(tf.math.mul(h, keep), tf.constant(2f));
                logits = dense(tf, h, 1600, 10, rnd, handles, inits, reads);
            } else {
                Operand<TFloat32> h = tf.nn.relu(dense(tf, in, 784, 256, rnd, handles, inits, reads));
                h = tf.nn.relu(dense(tf, h, 256, 128, rnd, handles, inits, reads));
                logits = dense(tf, h, 128, 10, rnd, handles, inits, reads);
            }
            Operand<TFloat32> labels = tf.oneHot(ys, tf.constant(10), tf.constant(1f), tf.constant(0f));
            Operand<TFloat32> loss = tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(logits, labels).loss(),
                    tf.constant(0));
            Operand<TFloat32> right = tf.reduceSum(tf.dtypes.cast(tf.math.equal(
                    tf.math.argMax(logits, tf.constant(1), TInt32.class), ys), TFloat32.class), tf.constant(0));
            Output<?>[] xsOut = new Output<?>[reads.size()];
            for (int i = 0; i < xsOut.length; i++) {
                xsOut[i] = reads.get(i).asOutput();
            }
            Output<?>[] grads = g.addGradients(loss.asOutput(), xsOut);
            // Adam (lr 1e-3, Keras's epsilon 1e-7); the bias corrections come in as fed scalars.
            Placeholder<TFloat32> b1p = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
            Placeholder<TFloat32> b2p = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
            List<Op> gradOps = new ArrayList<>();
            for (Output<?> gr : grads) {
                gradOps.add(gr);
            }
            Ops after = tf.withControlDependencies(gradOps);
            List<Op> updates = new ArrayList<>();
            for (int i = 0; i < handles.size(); i++) {
                long[] shape = reads.get(i).shape().asArray();
                Output<?> m = slot(tf, shape, inits);
                Output<?> v = slot(tf, shape, inits);
                @SuppressWarnings("unchecked")
                Operand<TFloat32> gi = (Operand<TFloat32>) grads[i];
                updates.add(after.train.resourceApplyAdam(handles.get(i), m, v, b1p, b2p, tf.constant(1e-3f),
                        tf.constant(0.9f), tf.constant(0.999f), tf.constant(1e-7f), gi));
            }
            Op train = tf.withControlDependencies(updates).noOp();
            Session.Runner init = s.runner();
            for (Op o : inits) {
                init.addTarget(o);
            }
            init.run();

            int dim = 784;
            int steps = n / batch;
            int[] order = DjlLoop.permutation(n, 42);
            float[] xb = new float[batch * dim];
            int[] yb = new int[batch];
            long t0 = 0;
            int step = 0;
            double rightSum = 0;
            for (int it = 0; it < warmup + steps; it++) {
                if (it == warmup) {
                    t0 = System.nanoTime();
                }
                int from = (it < warmup ? it : it - warmup) % steps * batch;
                for (int i = 0; i < batch; i++) {
                    int r = order[from + i];
                    System.arraycopy(x, r * dim, xb, i * dim, dim);
                    yb[i] = y[r];
                }
                step++;
                float p1 = (float) Math.pow(0.9, step);
                float p2 = (float) Math.pow(0.999, step);
                try (TFloat32 xt = TFloat32.tensorOf(cnn ? Shape.of(batch, 28, 28, 1) : Shape.of(batch, 784),
                        org.tensorflow.ndarray.buffer.DataBuffers.of(xb, true, false));
                        TInt32 yt = TInt32.vectorOf(yb);
                        TFloat32 p1t = TFloat32.scalarOf(p1);
                        TFloat32 p2t = TFloat32.scalarOf(p2);
                        org.tensorflow.Result r = metrics
                                ? s.runner().feed(xs, xt).feed(ys, yt).feed(b1p, p1t).feed(b2p, p2t).fetch(loss)
                                        .fetch(right).addTarget(train).run()
                                : s.runner().feed(xs, xt).feed(ys, yt).feed(b1p, p1t).feed(b2p, p2t).fetch(loss)
                                        .addTarget(train).run()) {
                    if (metrics) {
                        rightSum += ((TFloat32) r.get(1)).getFloat();
                    }
                    if (it == warmup + steps - 1 && !Float.isFinite(((TFloat32) r.get(0)).getFloat())) {
                        throw new IllegalStateException("hand-written TF loop diverged");
                    }
                }
            }
            if (metrics && rightSum == 0) {
                throw new IllegalStateException("hand-written TF loop kept no metrics");
            }
            return steps * batch / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static Output<?> variable(Ops tf, long[] shape, float[] init, List<Op> inits) {
        VarHandleOp h = tf.varHandleOp(TFloat32.class, Shape.of(shape),
                VarHandleOp.sharedName("baseline_" + inits.size() + "_" + System.nanoTime()));
        inits.add(tf.assignVariableOp(h, tf.constant(Shape.of(shape),
                org.tensorflow.ndarray.buffer.DataBuffers.of(init, true, false))));
        return h.asOutput();
    }

    private static Output<?> slot(Ops tf, long[] shape, List<Op> inits) {
        long size = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        return variable(tf, shape, new float[(int) size], inits);
    }

    private static float[] glorot(Random rnd, int fanIn, int fanOut, int size) {
        float limit = (float) Math.sqrt(6.0 / (fanIn + fanOut));
        float[] w = new float[size];
        for (int i = 0; i < size; i++) {
            w[i] = (rnd.nextFloat() * 2 - 1) * limit;
        }
        return w;
    }

    private static Operand<TFloat32> dense(Ops tf, Operand<TFloat32> in, int units, int out, Random rnd,
            List<Output<?>> handles, List<Op> inits, List<Operand<TFloat32>> reads) {
        Output<?> w = variable(tf, new long[] {units, out}, glorot(rnd, units, out, units * out), inits);
        Output<?> b = variable(tf, new long[] {out}, new float[out], inits);
        handles.add(w);
        handles.add(b);
        Operand<TFloat32> wr = tf.readVariableOp(w, TFloat32.class);
        Operand<TFloat32> br = tf.readVariableOp(b, TFloat32.class);
        reads.add(wr);
        reads.add(br);
        return tf.nn.biasAdd(tf.linalg.matMul(in, wr), br);
    }

    private static Operand<TFloat32> conv(Ops tf, Operand<TFloat32> in, int k, int cin, int cout, Random rnd,
            List<Output<?>> handles, List<Op> inits, List<Operand<TFloat32>> reads) {
        Output<?> w = variable(tf, new long[] {k, k, cin, cout},
                glorot(rnd, k * k * cin, k * k * cout, k * k * cin * cout), inits);
        Output<?> b = variable(tf, new long[] {cout}, new float[cout], inits);
        handles.add(w);
        handles.add(b);
        Operand<TFloat32> wr = tf.readVariableOp(w, TFloat32.class);
        Operand<TFloat32> br = tf.readVariableOp(b, TFloat32.class);
        reads.add(wr);
        reads.add(br);
        return tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(in, wr, List.of(1L, 1L, 1L, 1L), "VALID"), br));
    }

    private static Operand<TFloat32> pool(Ops tf, Operand<TFloat32> in) {
        return tf.nn.maxPool(in, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
    }
}
