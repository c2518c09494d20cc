package io.sparkkeras.backend.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.Random;

/**
 * The channels_first convolution behind {@link TorchNn}'s conv and conv-transpose: libtorch's own, unless a check
 * at first use finds that its gradients are wrong on this machine, in which case a convolution that takes gradients
 * is composed of strided slices (im2col) and one matmul, whose gradients libtorch computes without oneDNN (one that
 * does not, in predict or evaluate, still runs libtorch's own where its output was right: im2col's columns for a batch
 * of 1024 images would be k times the input).
 *
 * <p>Why: libtorch hands batched float32 convolutions to oneDNN, and on some machines oneDNN's AVX2/AVX-512 kernels
 * return a wrong input gradient: seen on a 2-vCPU AMD EPYC VM whose CPUID reports no cache sizes (leaves 4 and
 * 0x8000001D empty), for small batches (garbage, at times NaN) while batches of 128 came out right; the forward pass
 * and the kernel gradient were right. A model trained there would learn from wrong numbers without any error. The check
 * compares, on two small shapes that broke there, the gradients of a batch of two with those of the same samples
 * one at a time (libtorch's own non-oneDNN path): a few milliseconds, once per JVM. With
 * {@code ONEDNN_MAX_CPU_ISA=AVX} in the environment before the JVM starts, oneDNN avoids those kernels, the check
 * passes and libtorch's path is used; {@code -Dsparkkeras.torch.convolution=libtorch} or {@code =composed} skips
 * the check and picks a path. Speed on that VM ({@code bin/bench-fit}, reference CNN, one JVM, best epochs):
 * 4,247 samples/s composed against 3,487 for libtorch's right kernels (a DJL loop under {@code
 * ONEDNN_MAX_CPU_ISA=AVX}); libtorch's wrong AVX-512 kernels ran 4.6-5.6k.
 */
final class TorchConvolution {
    /**
     * {@code auto} (the default: check, then choose), {@code libtorch} (no check) or {@code composed}: a system
     * property read at the first convolution.
     */
    static final String PATH_PROPERTY = "sparkkeras.torch.convolution";
    private static final System.Logger LOG = System.getLogger(TorchConvolution.class.getName());
    /** Relative error (infinity norm) above which a gradient counts as wrong: float32 sums of a few terms. */
    private static final double CHECK_RTOL = 1e-4;

    /** Verdict: libtorch's convolution is right, and always used. */
    static final int LIBTORCH = 1;
    /** Verdict: its forward pass is right, its gradients are not: used where none is taken (predict, evaluate). */
    static final int FORWARD_ONLY = 2;
    /** Verdict: never used. */
    static final int COMPOSED = 3;

    private final TorchBackend b;
    /** What the check found: {@link #LIBTORCH}, {@link #FORWARD_ONLY} or {@link #COMPOSED}; 0 before it ran. */
    private volatile int verdict;

    TorchConvolution(TorchBackend b) {
        this.b = b;
    }

    /**
     * {@code x} (N, C, s...) convolved with {@code w} (O, C / groups, k...), symmetric zero padding {@code pad} on
     * each spatial axis, plus {@code bias} (O) if not null: libtorch's {@code convolution} (stride, dilation,
     * groups), results in the input's manager as libtorch leaves them.
     */
    NDArray convolve(NDArray x, NDArray w, PtNDArray bias, int[] strides, long[] pad, int[] dilation, int groups) {
        int v = verdict();
        if (v == LIBTORCH || v == FORWARD_ONLY && !JniUtils.isGradMode()) {
            // The bias goes into libtorch's convolution, which starts its output from it: no separate add.
            return JniUtils.convolution((PtNDArray) x, (PtNDArray) w, bias, TorchNn.shape(strides), new Shape(pad),
                    TorchNn.shape(dilation), groups);
        }
        NDArray y = composed(x, w, strides, pad, dilation, groups);
        if (bias == null) {
            return y;
        }
        long[] shape = new long[strides.length + 2];
        java.util.Arrays.fill(shape, 1);
        shape[1] = bias.getShape().get(0);
        // A view of the bias variable would go to the variables' long-lived manager: keep it in the step's scope.
        NDArray b4 = bias.reshape(shape);
        b4.attach(TorchScope.current(b).manager());
        return y.add(b4);
    }

    /** Where libtorch's own convolution is used (the check runs on the first call): a verdict above. */
    int verdict() {
        int v = verdict;
        if (v == 0) {
            synchronized (this) {
                v = verdict;
                if (v == 0) {
                    v = check();
                    verdict = v;
                }
            }
        }
        return v;
    }

    private int check() {
        String forced = System.getProperty(PATH_PROPERTY, "auto");
        switch (forced) {
            case "libtorch":
                return LIBTORCH;
            case "composed":
                return COMPOSED;
            case "auto":
                break;
            default:
                throw new IllegalArgumentException("Received an invalid value for `" + PATH_PROPERTY + "`, expected "
                        + "auto, libtorch or composed. Received: " + PATH_PROPERTY + "=" + forced);
        }
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        try (NDManager m = b.variablesManager().newSubManager()) {
            // Shapes that broke on the machine described above: (2, 1, 5, 5) * (1, 1, 3, 3) and (2, 3, 7, 7) * (4, 3,
            // 3, 3), with and without padding.
            boolean[] wrong = new boolean[3];
            compare(m, 1, 5, 1, 0, wrong);
            compare(m, 3, 7, 4, 1, wrong);
            if (!wrong[0] && !wrong[1] && !wrong[2]) {
                return LIBTORCH;
            }
            String what = wrong[0] ? "output" : wrong[1] ? "input gradient" : "kernel gradient";
            LOG.log(System.Logger.Level.WARNING, "libtorch's convolution gives a wrong " + what + " on this machine "
                    + "(a known oneDNN fault on some CPUs or VMs, e.g. where CPUID reports no cache sizes): "
                    + (wrong[0] ? "convolutions" : "convolutions that take gradients") + " on the torch backend run "
                    + "as strided slices and a matmul instead, which is right. To use libtorch's own path, start the "
                    + "JVM with ONEDNN_MAX_CPU_ISA=AVX in its environment (its oneDNN then avoids those kernels).");
            return wrong[0] ? COMPOSED : FORWARD_ONLY;
        } catch (RuntimeException e) {
            // A check that cannot run says nothing about the engine; keep its own path.
            LOG.log(System.Logger.Level.WARNING, "Could not check libtorch's convolution; using it as it is", e);
            return LIBTORCH;
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /**
     * A batch of two against the same two samples one at a time: flags in {@code wrong} the output, the input
     * gradient and the kernel gradient of {@code sum(conv(x) * r)} where they differ.
     */
    private static void compare(NDManager m, int c, int size, int o, long pad, boolean[] wrong) {
        Random rnd = new Random(42);
        NDArray x = m.create(gaussian(rnd, 2 * c * size * size), new Shape(2, c, size, size));
        NDArray w = m.create(gaussian(rnd, o * c * 9), new Shape(o, c, 3, 3));
        long out = size + 2 * pad - 2;
        NDArray r = m.create(gaussian(rnd, (int) (2 * o * out * out)), new Shape(2, o, out, out));
        float[][] batched = gradients(x, w, r, pad);
        float[][] single = new float[3][];
        for (int n = 0; n < 2; n++) {
            float[][] g = gradients(x.get(n).expandDims(0), w, r.get(n).expandDims(0), pad);
            single[0] = concat(single[0], g[0]);
            single[1] = concat(single[1], g[1]);
            single[2] = single[2] == null ? g[2] : add(single[2], g[2]);
        }
        for (int i = 0; i < 3; i++) {
            wrong[i] |= !close(single[i], batched[i]);
        }
    }

    private static float[][] gradients(NDArray x, NDArray w, NDArray r, long pad) {
        NDArray xv = x.duplicate();
        NDArray wv = w.duplicate();
        xv.setRequiresGradient(true);
        wv.setRequiresGradient(true);
        NDArray y = JniUtils.convolution((PtNDArray) xv, (PtNDArray) wv, null, new Shape(1, 1), new Shape(pad, pad),
                new Shape(1, 1), 1);
        NDArray loss = y.mul(r).sum();
        JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), false, false);
        return new float[][] {y.toFloatArray(), xv.getGradient().toFloatArray(), wv.getGradient().toFloatArray()};
    }

    private static boolean close(float[] expected, float[] actual) {
        double scale = 1e-6;
        double err = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            double e = Math.abs(expected[i] - actual[i]);
            if (!(e <= err)) {
                err = e;   // NaN sticks
            }
        }
        return err <= CHECK_RTOL * scale;
    }

    private static float[] gaussian(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static float[] concat(float[] a, float[] c) {
        if (a == null) {
            return c;
        }
        float[] r = java.util.Arrays.copyOf(a, a.length + c.length);
        System.arraycopy(c, 0, r, a.length, c.length);
        return r;
    }

    private static float[] add(float[] a, float[] c) {
        float[] r = a.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] += c[i];
        }
        return r;
    }

    /**
     * The convolution as im2col and one matmul, in channels_last (the layout the layers hold, so the views below are
     * usually free): one strided slice of the padded input per kernel offset, stacked to (N, out..., k, C), is the
     * (N * L, k * C) matrix of a single large GEMM with the kernel in Keras's own (k..., C/G, O) layout; the result
     * (N * L, O) is the output in channels_last. No bias. Every op is libtorch's and has its own gradient (slice,
     * stack, reshape, matmul), none of which goes through oneDNN's convolution. Intermediates go to {@code x}'s
     * manager.
     *
     * @param x channels_first (N, C, s...), as libtorch's convolution takes it
     * @param w (O, C / groups, k...)
     * @return channels_first (N, O, out...), a view
     */
    static NDArray composed(NDArray x, NDArray w, int[] strides, long[] pad, int[] dilation, int groups) {
        int spatial = strides.length;
        int[] last = new int[spatial + 2];    // (N, C, s...) -> (N, s..., C)
        int[] first = new int[spatial + 2];   // and back
        int[] kernelLast = new int[spatial + 2];   // (O, C/G, k...) -> (k..., C/G, O)
        for (int i = 0; i < spatial; i++) {
            last[i + 1] = i + 2;
            first[i + 2] = i + 1;
            kernelLast[i] = i + 2;
        }
        last[spatial + 1] = 1;
        first[1] = spatial + 1;
        kernelLast[spatial] = 1;
        NDArray in = x.transpose(last);
        boolean padded = false;
        long[] p = new long[2 * (spatial + 1)];   // pairs from the last axis (channels: none) to the first spatial one
        for (int i = 0; i < spatial; i++) {
            p[2 * (spatial - i)] = pad[i];
            p[2 * (spatial - i) + 1] = pad[i];
            padded |= pad[i] > 0;
        }
        if (padded) {
            in = JniUtils.pad((PtNDArray) in, p, 0);
        }
        long[] dims = in.getShape().getShape();
        long[] wd = w.getShape().getShape();
        long n = dims[0];
        long c = dims[spatial + 1];
        long o = wd[0];
        long[] out = new long[spatial];
        int taps = 1;
        long rows = n;
        for (int i = 0; i < spatial; i++) {
            long span = (long) dilation[i] * (wd[i + 2] - 1) + 1;
            out[i] = (dims[i + 1] - span) / strides[i] + 1;
            taps *= (int) wd[i + 2];
            rows *= out[i];
        }
        PtNDArray[] cols = new PtNDArray[taps];
        int[] offset = new int[spatial];
        for (int t = 0; t < taps; t++) {
            NDArray s = in;
            for (int i = 0; i < spatial; i++) {
                long start = (long) offset[i] * dilation[i];
                s = JniUtils.slice((PtNDArray) s, i + 1, start, start + (out[i] - 1) * strides[i] + 1, strides[i]);
            }
            cols[t] = (PtNDArray) s;
            for (int i = spatial - 1; i >= 0 && ++offset[i] == wd[i + 2]; i--) {
                offset[i] = 0;   // odometer over the kernel's offsets, last axis fastest (as the kernel is laid out)
            }
        }
        NDArray col = JniUtils.stack(cols, spatial + 1);   // (N, out..., k, C)
        NDArray kernel = w.transpose(kernelLast);          // (k..., C/G, O)
        NDArray y;
        if (groups == 1) {
            y = JniUtils.matmul((PtNDArray) col.reshape(rows, taps * c), (PtNDArray) kernel.reshape(taps * c, o));
        } else {
            long cg = c / groups;
            long og = o / groups;
            NDArray colG = col.reshape(rows, taps, groups, cg).transpose(2, 0, 1, 3).reshape(groups, rows, taps * cg);
            NDArray kernelG = kernel.reshape(taps * cg, groups, og).transpose(1, 0, 2);
            y = JniUtils.matmul((PtNDArray) colG, (PtNDArray) kernelG).transpose(1, 0, 2);   // (rows, G, O/G)
        }
        long[] shape = new long[spatial + 2];
        shape[0] = n;
        System.arraycopy(out, 0, shape, 1, spatial);
        shape[spatial + 1] = o;
        return y.reshape(shape).transpose(first);
    }
}
