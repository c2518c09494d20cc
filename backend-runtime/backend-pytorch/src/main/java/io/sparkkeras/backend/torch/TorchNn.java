package io.sparkkeras.backend.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.sparkkeras.backend.NnOps;
import io.sparkkeras.backend.Tensor;

import java.util.List;

import static io.sparkkeras.backend.torch.Torch.nd;

/**
 * Neural-network ops on PyTorch: Keras's {@code backend/torch/nn.py}. Convolution and pooling move channels_last
 * inputs to torch's channels_first and back, and pad explicitly where TensorFlow's "same" rule is asymmetric.
 */
final class TorchNn implements NnOps {
    /** Keras's {@code backend.epsilon()}: clips probabilities before a log. */
    private static final double EPSILON = 1e-7;

    private final TorchBackend b;
    private final TorchConvolution convolution;

    TorchNn(TorchBackend b) {
        this.b = b;
        this.convolution = new TorchConvolution(b);
    }

    private Tensor t(NDArray a) {
        return TorchTensor.of(b, a);
    }

    private static PtNDArray pt(Tensor x) {
        return (PtNDArray) nd(x);
    }

    @Override
    public Tensor relu(Tensor x) {
        return t(JniUtils.relu(pt(x)));
    }

    @Override
    public Tensor relu6(Tensor x) {
        return t(nd(x).clip(0, 6));
    }

    @Override
    public Tensor sigmoid(Tensor x) {
        return t(JniUtils.sigmoid(pt(x)));
    }

    @Override
    public Tensor softmax(Tensor x, int axis) {
        return t(nd(x).softmax(axis));
    }

    @Override
    public Tensor logSoftmax(Tensor x, int axis) {
        return t(nd(x).logSoftmax(axis));
    }

    @Override
    public Tensor softplus(Tensor x) {
        return t(JniUtils.softPlus(pt(x)));
    }

    @Override
    public Tensor softsign(Tensor x) {
        return t(JniUtils.softSign(pt(x)));
    }

    @Override
    public Tensor silu(Tensor x) {
        NDArray a = nd(x);
        return t(a.mul(JniUtils.sigmoid((PtNDArray) a)));
    }

    @Override
    public Tensor gelu(Tensor x, boolean approximate) {
        NDArray a = nd(x);
        if (!approximate) {
            return t(JniUtils.gelu((PtNDArray) a));
        }
        NDArray inner = a.add(a.pow(Torch.number(b, a, 3)).mul(Torch.number(b, a, 0.044715)))
                .mul(Torch.number(b, a, Math.sqrt(2 / Math.PI)));
        return t(a.mul(Torch.number(b, a, 0.5)).mul(inner.tanh().add(1f)));
    }

    @Override
    public Tensor elu(Tensor x, double alpha) {
        return t(JniUtils.elu(pt(x), alpha));
    }

    @Override
    public Tensor selu(Tensor x) {
        return t(JniUtils.selu(pt(x)));
    }

    @Override
    public Tensor leakyRelu(Tensor x, double negativeSlope) {
        return t(JniUtils.leakyRelu(pt(x), negativeSlope));
    }

    @Override
    public Tensor hardSigmoid(Tensor x) {
        // Keras 3: relu6(x + 3) / 6.
        NDArray a = nd(x);
        return t(a.add(3f).clip(0, 6).div(Torch.number(b, a, 6)));
    }

    // ---- convolution and pooling

    /** (N, s..., C) -> (N, C, s...). */
    private static int[] toChannelsFirst(int spatial) {
        int[] p = new int[spatial + 2];
        p[1] = spatial + 1;
        for (int i = 0; i < spatial; i++) {
            p[i + 2] = i + 1;
        }
        return p;
    }

    /** (N, C, s...) -> (N, s..., C). */
    private static int[] toChannelsLast(int spatial) {
        int[] p = new int[spatial + 2];
        for (int i = 0; i < spatial; i++) {
            p[i + 1] = i + 2;
        }
        p[spatial + 1] = 1;
        return p;
    }

    /** TensorFlow's "same" padding for one spatial axis: {before, after}. */
    private static long[] samePad(long in, int k, int s, int d) {
        long out = (in + s - 1) / s;
        long total = Math.max((out - 1) * s + (long) (k - 1) * d + 1 - in, 0);
        return new long[] {total / 2, total - total / 2};
    }

    /**
     * Pads a channels_first array for "same" where needed: returns the array and the symmetric padding still to
     * pass to torch (zero where the padding was applied explicitly).
     */
    private static Object[] padSame(NDArray x, int[] k, int[] s, int[] d, String padding, double value) {
        int spatial = k.length;
        long[] sym = new long[spatial];
        if (!"same".equals(padding)) {
            return new Object[] {x, sym};
        }
        long[] dims = x.getShape().getShape();
        long[][] pads = new long[spatial][];
        boolean symmetric = true;
        for (int i = 0; i < spatial; i++) {
            pads[i] = samePad(dims[i + 2], k[i], s[i], d[i]);
            symmetric &= pads[i][0] == pads[i][1];
        }
        if (symmetric) {
            for (int i = 0; i < spatial; i++) {
                sym[i] = pads[i][0];
            }
            return new Object[] {x, sym};
        }
        long[] p = new long[2 * spatial];
        for (int i = 0; i < spatial; i++) {
            p[2 * i] = pads[spatial - 1 - i][0];
            p[2 * i + 1] = pads[spatial - 1 - i][1];
        }
        return new Object[] {JniUtils.pad((PtNDArray) x, p, value), sym};
    }

    @Override
    public Tensor conv(Tensor x, Tensor kernel, int[] strides, String padding, int[] dilationRate, int groups) {
        return conv(x, kernel, null, strides, padding, dilationRate, groups);
    }

    @Override
    public Tensor conv(Tensor x, Tensor kernel, Tensor bias, int[] strides, String padding, int[] dilationRate,
            int groups) {
        if (bias != null && bias.dtype() != x.dtype()) {
            return NnOps.super.conv(x, kernel, bias, strides, padding, dilationRate, groups);
        }
        int spatial = strides.length;
        NDArray in = local(nd(x).transpose(toChannelsFirst(spatial)));
        int[] kperm = new int[spatial + 2];
        kperm[0] = spatial + 1;
        kperm[1] = spatial;
        for (int i = 0; i < spatial; i++) {
            kperm[i + 2] = i;
        }
        NDArray w = local(nd(kernel).transpose(kperm));
        int[] k = new int[spatial];
        long[] wd = w.getShape().getShape();
        for (int i = 0; i < spatial; i++) {
            k[i] = (int) wd[i + 2];
        }
        Object[] padded = padSame(in, k, strides, dilationRate, padding, 0);
        NDArray out = convolution.convolve((NDArray) padded[0], w, bias == null ? null : pt(bias), strides,
                (long[]) padded[1], dilationRate, groups);
        return t(out.transpose(toChannelsLast(spatial)));
    }

    @Override
    public Tensor dense(Tensor x, Tensor kernel, Tensor bias) {
        if (kernel.shape().rank() != 2 || kernel.dtype() != x.dtype() || bias != null && bias.dtype() != x.dtype()) {
            return NnOps.super.dense(x, kernel, bias);
        }
        // libtorch's linear wants (units, in): the transposed view of Keras's (in, units) kernel, which its GEMM
        // reads as it is; the bias seeds the output, so a Dense is one native op forward and one GEMM pair back.
        PtNDArray w = (PtNDArray) local(nd(kernel).transpose());
        return t(JniUtils.linear(pt(x), w, bias == null ? null : pt(bias)));
    }

    /**
     * An intermediate made from a variable: DJL puts it in the variable's long-lived manager, so move it into the
     * step's scope, or it would stay until the variable is closed.
     */
    private NDArray local(NDArray a) {
        TorchScope scope = TorchScope.current(b);
        if (a.getManager() != scope.manager()) {
            a.attach(scope.manager());
        }
        return a;
    }

    @Override
    public Tensor convTranspose(Tensor x, Tensor kernel, int[] strides, String padding, int[] outputPadding,
            int[] dilationRate) {
        // libtorch's conv_transpose is not in DJL's JNI, so: insert stride-1 zeros between input pixels, pad each
        // side as Keras's JAX backend does, and run a stride-1 convolution with the spatially flipped kernel, its
        // in and out swapped. Every step is differentiable.
        int spatial = strides.length;
        NDArray in = local(nd(x).transpose(toChannelsFirst(spatial)));
        int rank = spatial + 2;
        for (int i = 0; i < spatial; i++) {
            in = insertZeros(in, i + 2, strides[i]);
        }
        long[] dims = nd(kernel).getShape().getShape();
        long[] p = new long[2 * spatial];
        for (int i = 0; i < spatial; i++) {
            long[] lr = transposePad((int) dims[i], strides[i], dilationRate[i], padding,
                    outputPadding == null ? -1 : outputPadding[i]);
            p[2 * (spatial - 1 - i)] = lr[0];
            p[2 * (spatial - 1 - i) + 1] = lr[1];
        }
        in = JniUtils.pad((PtNDArray) in, p, 0);
        // Keras's (k..., out, in) -> torch's (out, in, k...), flipped on every spatial axis.
        int[] kperm = new int[rank];
        kperm[0] = spatial;
        kperm[1] = spatial + 1;
        long[] flipAxes = new long[spatial];
        for (int i = 0; i < spatial; i++) {
            kperm[i + 2] = i;
            flipAxes[i] = i + 2;
        }
        NDArray w = local(JniUtils.flip((PtNDArray) local(nd(kernel).transpose(kperm)), flipAxes));
        int[] ones = new int[spatial];
        java.util.Arrays.fill(ones, 1);
        NDArray out = convolution.convolve(in, w, null, ones, new long[spatial], dilationRate, 1);
        return t(out.transpose(toChannelsLast(spatial)));
    }

    /** {@code a} with {@code stride - 1} zeros between neighbours on {@code axis}: length {@code (n-1)*stride+1}. */
    private static NDArray insertZeros(NDArray a, int axis, int stride) {
        if (stride == 1) {
            return a;
        }
        long[] dims = a.getShape().getShape();
        int rank = dims.length;
        NDArray e = a.expandDims(axis + 1);
        long[] p = new long[2 * (rank + 1 - (axis + 1))];
        p[2 * (rank - (axis + 1)) + 1] = stride - 1;   // after the new axis, counted from the last
        NDArray padded = JniUtils.pad((PtNDArray) e, p, 0);
        long[] merged = dims.clone();
        merged[axis] = dims[axis] * stride;
        NDArray flat = padded.reshape(merged);
        return JniUtils.slice((PtNDArray) flat, axis, 0, (dims[axis] - 1) * stride + 1, 1);
    }

    /**
     * Keras's {@code _convert_conv_transpose_padding_args_from_keras_to_jax}: {left, right} zeros around the
     * zero-inserted input; {@code outputPadding < 0} means none given.
     */
    private static long[] transposePad(int kernel, int stride, int dilation, String padding, int outputPadding) {
        long k = (long) (kernel - 1) * dilation + 1;
        if (!"same".equals(padding)) {
            long op = outputPadding < 0 ? Math.max(k, stride) - k : outputPadding;
            return new long[] {k - 1, k - 1 + op};
        }
        long padLen = outputPadding < 0 ? stride + k - 2 : k + k % 2 - 2 + outputPadding;
        long left = Math.min(padLen / 2 + padLen % 2, k - 1);
        return new long[] {left, padLen - left};
    }

    @Override
    public Tensor maxPool(Tensor x, int[] poolSize, int[] strides, String padding) {
        int spatial = poolSize.length;
        NDArray in = nd(x).transpose(toChannelsFirst(spatial));
        int[] ones = new int[spatial];
        java.util.Arrays.fill(ones, 1);
        Object[] padded = padSame(in, poolSize, strides, ones, padding, Double.NEGATIVE_INFINITY);
        NDArray out = JniUtils.maxPool((PtNDArray) padded[0], shape(poolSize), shape(strides),
                new ai.djl.ndarray.types.Shape((long[]) padded[1]), false);
        return t(out.transpose(toChannelsLast(spatial)));
    }

    @Override
    public Tensor averagePool(Tensor x, int[] poolSize, int[] strides, String padding) {
        int spatial = poolSize.length;
        NDArray in = nd(x).transpose(toChannelsFirst(spatial));
        ai.djl.ndarray.types.Shape k = shape(poolSize);
        ai.djl.ndarray.types.Shape s = shape(strides);
        if (!"same".equals(padding)) {
            NDArray out = JniUtils.avgPool((PtNDArray) in, k, s, new ai.djl.ndarray.types.Shape(new long[spatial]),
                    false, true);
            return t(out.transpose(toChannelsLast(spatial)));
        }
        // Keras averages only real values at the edges: divide the zero-padded sum by the count of real values.
        int[] ones = new int[spatial];
        java.util.Arrays.fill(ones, 1);
        Object[] padded = padSame(in, poolSize, strides, ones, padding, 0);
        NDArray mask = in.onesLike();
        Object[] paddedMask = padSame(mask, poolSize, strides, ones, padding, 0);
        ai.djl.ndarray.types.Shape sym = new ai.djl.ndarray.types.Shape((long[]) padded[1]);
        NDArray sum = JniUtils.avgPool((PtNDArray) padded[0], k, s, sym, false, true);
        NDArray cnt = JniUtils.avgPool((PtNDArray) paddedMask[0], k, s, sym, false, true);
        return t(sum.div(cnt).transpose(toChannelsLast(spatial)));
    }

    static ai.djl.ndarray.types.Shape shape(int[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            l[i] = v[i];
        }
        return new ai.djl.ndarray.types.Shape(l);
    }

    // ---- misc

    @Override
    public Tensor oneHot(Tensor x, int numClasses) {
        NDArray a = nd(x);
        if (a.getDataType() != DataType.INT64) {
            a = a.toType(DataType.INT64, false);
        }
        return t(a.oneHot(numClasses, DataType.FLOAT32));
    }

    @Override
    public List<Tensor> moments(Tensor x, int[] axes, boolean keepdims) {
        NDArray a = nd(x);
        int rank = a.getShape().dimension();
        int[] ax = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            ax[i] = Torch.axis(axes[i], rank);
        }
        NDArray mean = TorchNumpy.meanOver(b, a, ax, true);
        NDArray var = TorchNumpy.meanOver(b, a.sub(mean).square(), ax, keepdims);
        if (!keepdims) {
            mean = TorchNumpy.meanOver(b, a, ax, false);
        }
        return List.of(t(mean), t(var));
    }

    @Override
    public Tensor sparseCategoricalCrossentropy(Tensor target, Tensor output, boolean fromLogits) {
        NDArray logp = logProbabilities(nd(output), fromLogits);
        NDArray labels = nd(target);
        if (labels.getShape().dimension() == logp.getShape().dimension()) {
            labels = labels.squeeze(-1);
        }
        if (labels.getDataType() != DataType.INT64) {
            labels = labels.toType(DataType.INT64, false);
        }
        int last = logp.getShape().dimension() - 1;
        NDArray picked = JniUtils.gather((PtNDArray) logp, (PtNDArray) labels.expandDims(last), last);
        return t(picked.squeeze(last).neg());
    }

    @Override
    public Tensor categoricalCrossentropy(Tensor target, Tensor output, boolean fromLogits) {
        NDArray logp = logProbabilities(nd(output), fromLogits);
        return t(nd(target).mul(logp).sum(new int[] {-1}).neg());
    }

    private static NDArray logProbabilities(NDArray output, boolean fromLogits) {
        if (fromLogits) {
            return output.logSoftmax(-1);
        }
        // Keras rescales probabilities to sum to one, then clips them away from 0 and 1.
        NDArray p = output.div(output.sum(new int[] {-1}, true));
        return p.clip(EPSILON, 1 - EPSILON).log();
    }

    @Override
    public Tensor binaryCrossentropy(Tensor target, Tensor output, boolean fromLogits) {
        NDArray y = nd(target);
        NDArray o = nd(output);
        if (y.getDataType() != o.getDataType()) {
            y = y.toType(o.getDataType(), false);
        }
        if (fromLogits) {
            // max(x, 0) - x * z + log(1 + exp(-|x|)): stable for large |x|.
            NDArray r = o.maximum(Torch.number(b, o, 0)).sub(o.mul(y)).add(o.abs().neg().exp().add(1f).log());
            return t(r);
        }
        NDArray p = o.clip(EPSILON, 1 - EPSILON);
        NDArray r = y.mul(p.log()).add(y.neg().add(1f).mul(p.neg().add(1f).log())).neg();
        return t(r);
    }

    @Override
    public Tensor dropout(Tensor x, double rate, long seed) {
        return t(JniUtils.dropout(pt(x), rate, true));
    }
}
