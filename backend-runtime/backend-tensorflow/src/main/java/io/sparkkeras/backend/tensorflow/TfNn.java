package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.NnOps;
import io.sparkkeras.backend.Tensor;
import org.tensorflow.Output;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Neural-network ops on TensorFlow: Keras's {@code backend/tensorflow/nn.py}. TensorFlow is channels_last and stores
 * kernels as Keras does, and its "same" padding is the rule {@link NnOps} specifies, so convolution and pooling map
 * straight onto {@code Conv2D}, {@code MaxPool} and {@code AvgPool}; 1-D ops run as 2-D ones with a unit height.
 */
final class TfNn implements NnOps {
    /** Keras's {@code backend.epsilon()}: clips probabilities before a log. */
    private static final double EPSILON = 1e-7;
    private static final AtomicLong SEED2 = new AtomicLong();

    private final TfBackend b;
    private final TfNumpy np;

    TfNn(TfBackend b) {
        this.b = b;
        this.np = (TfNumpy) b.numpy();
    }

    private Tensor unary(String type, Tensor x) {
        return b.wrap(b.op(type, b.in(x)));
    }

    private Output<?> mul(Output<?> x, double c) {
        return b.op("Mul", x, b.constScalar(c, Tf.dtype(x.dataType())));
    }

    private Output<?> add(Output<?> x, double c) {
        return b.op("AddV2", x, b.constScalar(c, Tf.dtype(x.dataType())));
    }

    @Override
    public Tensor relu(Tensor x) {
        return unary("Relu", x);
    }

    @Override
    public Tensor relu6(Tensor x) {
        return unary("Relu6", x);
    }

    @Override
    public Tensor sigmoid(Tensor x) {
        return unary("Sigmoid", x);
    }

    @Override
    public Tensor softmax(Tensor x, int axis) {
        return b.wrap(lastAxisOp("Softmax", b.in(x), axis));
    }

    @Override
    public Tensor logSoftmax(Tensor x, int axis) {
        return b.wrap(lastAxisOp("LogSoftmax", b.in(x), axis));
    }

    /** An op over the last axis applied to {@code axis}: swap it last and back, as tf.nn.softmax does. */
    private Output<?> lastAxisOp(String type, Output<?> x, int axis) {
        int rank = x.shape().numDimensions();
        int ax = Tf.axis(axis, rank);
        if (ax == rank - 1) {
            return b.op(type, x);
        }
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = i;
        }
        perm[ax] = rank - 1;
        perm[rank - 1] = ax;
        Output<?> t = b.op("Transpose", x, b.constInts(perm));
        return b.op("Transpose", b.op(type, t), b.constInts(perm));
    }

    @Override
    public Tensor softplus(Tensor x) {
        return unary("Softplus", x);
    }

    @Override
    public Tensor softsign(Tensor x) {
        return unary("Softsign", x);
    }

    @Override
    public Tensor silu(Tensor x) {
        Output<?> a = b.in(x);
        return b.wrap(b.op("Mul", a, b.op("Sigmoid", a)));
    }

    @Override
    public Tensor gelu(Tensor x, boolean approximate) {
        Output<?> a = b.in(x);
        if (!approximate) {
            // 0.5 x (1 + erf(x / sqrt(2)))
            Output<?> erf = b.op("Erf", mul(a, 1 / Math.sqrt(2)));
            return b.wrap(b.op("Mul", mul(a, 0.5), add(erf, 1)));
        }
        Output<?> cube = b.op("Mul", b.op("Square", a), a);
        Output<?> inner = mul(b.op("AddV2", a, mul(cube, 0.044715)), Math.sqrt(2 / Math.PI));
        return b.wrap(b.op("Mul", mul(a, 0.5), add(b.op("Tanh", inner), 1)));
    }

    @Override
    public Tensor elu(Tensor x, double alpha) {
        Output<?> a = b.in(x);
        Output<?> e = b.op("Elu", a);
        if (alpha == 1) {
            return b.wrap(e);
        }
        Output<?> pos = b.op("Greater", a, b.constScalar(0, x.dtype()));
        return b.wrap(b.op("SelectV2", pos, e, mul(e, alpha)));
    }

    @Override
    public Tensor selu(Tensor x) {
        return unary("Selu", x);
    }

    @Override
    public Tensor leakyRelu(Tensor x, double negativeSlope) {
        return b.wrap(b.op("LeakyRelu", ob -> ob.setAttr("alpha", (float) negativeSlope), b.in(x)));
    }

    @Override
    public Tensor hardSigmoid(Tensor x) {
        // Keras 3: relu6(x + 3) / 6.
        return b.wrap(mul(b.op("Relu6", add(b.in(x), 3)), 1.0 / 6));
    }

    // ---- convolution and pooling

    private static long[] nhwc(int[] spatial) {
        long[] r = new long[spatial.length + 2];
        r[0] = 1;
        r[r.length - 1] = 1;
        for (int i = 0; i < spatial.length; i++) {
            r[i + 1] = spatial[i];
        }
        return r;
    }

    private static String pad(String padding) {
        return padding.toUpperCase(Locale.ROOT);
    }

    /** 1-D to 2-D: a unit axis before the spatial one, on the input (axis 1) and optionally the kernel (axis 0). */
    private static int[] with1(int[] v) {
        return new int[] {1, v[0]};
    }

    @Override
    public Tensor conv(Tensor x, Tensor kernel, int[] strides, String padding, int[] dilationRate, int groups) {
        Output<?> in = b.in(x);
        DType t = Tf.promote(x.dtype(), kernel.dtype());
        in = b.cast(in, t);
        Output<?> w = b.cast(b.in(kernel), t);
        int spatial = strides.length;
        if (spatial == 1) {
            Output<?> in2 = b.op("ExpandDims", in, b.constInt(1));
            Output<?> w2 = b.op("ExpandDims", w, b.constInt(0));
            Output<?> out = grouped(in2, w2, with1(strides), padding, with1(dilationRate), groups);
            return b.wrap(b.op("Squeeze", ob -> ob.setAttr("squeeze_dims", new long[] {1}), out));
        }
        return b.wrap(grouped(in, w, strides, padding, dilationRate, groups));
    }

    /**
     * The convolution then {@code BiasAdd}: one op whose gradient ({@code BiasAddGrad}) is a single reduction,
     * where a broadcast {@code AddV2} differentiates into shape arithmetic, a sum and a reshape.
     */
    @Override
    public Tensor conv(Tensor x, Tensor kernel, Tensor bias, int[] strides, String padding, int[] dilationRate,
            int groups) {
        Tensor y = conv(x, kernel, strides, padding, dilationRate, groups);
        return bias == null ? y : biasAdd(y, bias);
    }

    /** {@code MatMul} then {@code BiasAdd} (see the biased {@code conv}). */
    @Override
    public Tensor dense(Tensor x, Tensor kernel, Tensor bias) {
        if (x.shape().rank() != 2 || kernel.shape().rank() != 2) {
            return NnOps.super.dense(x, kernel, bias);
        }
        Tensor y = np.matmul(x, kernel);
        return bias == null ? y : biasAdd(y, bias);
    }

    /** {@code y + bias} over the last axis, as {@code BiasAdd} (channels last), in {@code y}'s promoted dtype. */
    private Tensor biasAdd(Tensor y, Tensor bias) {
        if (bias.shape().rank() != 1 || bias.dtype() != y.dtype()) {
            return io.sparkkeras.ops.Ops.add(y, bias);
        }
        return b.wrap(b.op("BiasAdd", b.in(y), b.in(bias)));
    }

    /** A grouped convolution as one convolution per group, concatenated on channels. */
    private Output<?> grouped(Output<?> in, Output<?> w, int[] strides, String padding, int[] dilation, int groups) {
        if (groups == 1) {
            return convNd(in, w, strides, padding, dilation);
        }
        long[] xd = in.shape().asArray();
        long[] wd = w.shape().asArray();
        int rank = xd.length;
        long inPer = xd[rank - 1] / groups;
        long outPer = wd[wd.length - 1] / groups;
        Output<?>[] parts = new Output<?>[groups];
        for (int g = 0; g < groups; g++) {
            long[] xs = new long[rank];
            long[] xsz = xd.clone();
            xs[rank - 1] = g * inPer;
            xsz[rank - 1] = inPer;
            long[] ws = new long[wd.length];
            long[] wsz = wd.clone();
            ws[wd.length - 1] = g * outPer;
            wsz[wd.length - 1] = outPer;
            Output<?> xg = b.op("Slice", in, b.constInts(TfNumpy.toInts(xs)), b.constInts(TfNumpy.toInts(xsz)));
            Output<?> wg = b.op("Slice", w, b.constInts(TfNumpy.toInts(ws)), b.constInts(TfNumpy.toInts(wsz)));
            parts[g] = convNd(xg, wg, strides, padding, dilation);
        }
        Output<?> axis = b.constInt(rank - 1);
        return b.build("ConcatV2", ob -> {
            ob.addInputList(parts);
            ob.addInput(axis);
        }).output(0);
    }

    private Output<?> convNd(Output<?> in, Output<?> w, int[] strides, String padding, int[] dilationRate) {
        Output<?> kernel = dilate(w, dilationRate);
        int[] dilation = ones(dilationRate.length);
        Output<?> wk = kernel;
        String type = strides.length == 3 ? "Conv3D" : "Conv2D";
        return b.op(type, ob -> {
            ob.setAttr("strides", nhwc(strides));
            ob.setAttr("padding", pad(padding));
            ob.setAttr("dilations", nhwc(dilation));
            ob.setAttr("data_format", strides.length == 3 ? "NDHWC" : "NHWC");
        }, in, wk);
    }

    private static int[] ones(int n) {
        int[] r = new int[n];
        java.util.Arrays.fill(r, 1);
        return r;
    }

    /**
     * The kernel with {@code d - 1} zeros between its taps on each spatial axis. TensorFlow's C++ gradients of
     * Conv2D (the ones {@code Graph.addGradients} uses) ignore the {@code dilations} attribute, so a dilated
     * convolution runs as an undilated one with a dilated kernel: the same "same" padding (TensorFlow pads for the
     * effective kernel size either way) and exact gradients, at {@code d^2} the multiplies.
     */
    private Output<?> dilate(Output<?> w, int[] dilation) {
        Output<?> r = w;
        for (int i = 0; i < dilation.length; i++) {
            int d = dilation[i];
            if (d == 1) {
                continue;
            }
            long[] dims = r.shape().asArray();
            int rank = dims.length;
            Output<?> e = b.op("ExpandDims", r, b.constInt(i + 1));
            long[][] pad = new long[rank + 1][2];
            pad[i + 1][1] = d - 1;
            Output<?> padded = np.padOutput(e, pad, 0, Tf.dtype(r.dataType()));
            long[] merged = dims.clone();
            merged[i] = dims[i] * d;
            Output<?> flat = b.op("Reshape", padded, b.constLongs(merged));
            long[] size = dims.clone();
            size[i] = (dims[i] - 1) * d + 1;
            r = b.op("Slice", flat, b.constInts(new int[rank]), b.constInts(TfNumpy.toInts(size)));
        }
        return r;
    }

    @Override
    public Tensor convTranspose(Tensor x, Tensor kernel, int[] strides, String padding, int[] outputPadding,
            int[] dilationRate) {
        Output<?> in = b.in(x);
        Output<?> w = dilate(b.in(kernel), dilationRate);
        int spatial = strides.length;
        long[] xd = x.shape().dims();
        long[] kd = kernel.shape().dims();
        // Keras's compute_conv_transpose_output_shape (deconv_output_length per spatial axis).
        long[] outShape = new long[spatial + 2];
        outShape[0] = xd[0];
        outShape[spatial + 1] = kd[spatial];
        for (int i = 0; i < spatial; i++) {
            long k = (kd[i] - 1) * dilationRate[i] + 1;
            long len = xd[i + 1];
            long out;
            if (outputPadding == null) {
                out = "valid".equals(padding) ? len * strides[i] + Math.max(k - strides[i], 0) : len * strides[i];
            } else {
                long p = "same".equals(padding) ? k / 2 : 0;
                out = (len - 1) * strides[i] + k - 2 * p + outputPadding[i];
            }
            outShape[i + 1] = out;
        }
        int[] s = strides;
        int[] d = ones(spatial);
        long[] os = outShape;
        if (spatial == 1) {
            in = b.op("ExpandDims", in, b.constInt(1));
            w = b.op("ExpandDims", w, b.constInt(0));
            s = with1(strides);
            d = with1(ones(1));
            os = new long[] {outShape[0], 1, outShape[1], outShape[2]};
        }
        String type = s.length == 3 ? "Conv3DBackpropInputV2" : "Conv2DBackpropInput";
        int[] sf = s;
        int[] df = d;
        long[] osf = os;
        int[] sizes = new int[osf.length];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = (int) osf[i];
        }
        Output<?> r = b.op(type, ob -> {
            ob.setAttr("strides", nhwc(sf));
            ob.setAttr("padding", pad(padding));
            ob.setAttr("dilations", nhwc(df));
            ob.setAttr("data_format", sf.length == 3 ? "NDHWC" : "NHWC");
        }, b.constInts(sizes), w, in);
        if (spatial == 1) {
            r = b.op("Squeeze", ob -> ob.setAttr("squeeze_dims", new long[] {1}), r);
        }
        return b.wrap(r);
    }

    @Override
    public Tensor maxPool(Tensor x, int[] poolSize, int[] strides, String padding) {
        return pool(x, poolSize, strides, padding, "MaxPool", "MaxPool3D");
    }

    @Override
    public Tensor averagePool(Tensor x, int[] poolSize, int[] strides, String padding) {
        // TensorFlow's "same" average pooling already averages only the real values, as Keras specifies.
        return pool(x, poolSize, strides, padding, "AvgPool", "AvgPool3D");
    }

    private Tensor pool(Tensor x, int[] poolSize, int[] strides, String padding, String type2d, String type3d) {
        Output<?> in = b.in(x);
        int[] k = poolSize;
        int[] s = strides;
        boolean oneD = poolSize.length == 1;
        if (oneD) {
            in = b.op("ExpandDims", in, b.constInt(1));
            k = with1(poolSize);
            s = with1(strides);
        }
        int[] kf = k;
        int[] sf = s;
        boolean threeD = k.length == 3;
        Output<?> r = b.op(threeD ? type3d : type2d, ob -> {
            ob.setAttr("ksize", nhwc(kf));
            ob.setAttr("strides", nhwc(sf));
            ob.setAttr("padding", pad(padding));
            ob.setAttr("data_format", threeD ? "NDHWC" : "NHWC");
        }, in);
        if (oneD) {
            r = b.op("Squeeze", ob -> ob.setAttr("squeeze_dims", new long[] {1}), r);
        }
        return b.wrap(r);
    }

    // ---- misc

    @Override
    public Tensor oneHot(Tensor x, int numClasses) {
        return b.wrap(oneHotOutput(b.in(x), x.dtype(), numClasses));
    }

    private Output<?> oneHotOutput(Output<?> x, DType dtype, int numClasses) {
        Output<?> idx = dtype == DType.INT32 || dtype == DType.INT64 || dtype == DType.UINT8 ? x
                : b.cast(x, DType.INT64);
        return b.op("OneHot", ob -> ob.setAttr("axis", -1L), idx, b.constInt(numClasses),
                b.constScalar(1, DType.FLOAT32), b.constScalar(0, DType.FLOAT32));
    }

    @Override
    public List<Tensor> moments(Tensor x, int[] axes, boolean keepdims) {
        Output<?> a = b.in(x);
        int rank = x.shape().rank();
        int[] ax = TfNumpy.norm(axes, rank);
        Output<?> meanKeep = np.meanOver(a, ax, true);
        Output<?> var = np.meanOver(b.op("Square", b.op("Sub", a, meanKeep)), ax, keepdims);
        Output<?> mean = keepdims ? meanKeep : np.meanOver(a, ax, false);
        return List.of(b.wrap(mean), b.wrap(var));
    }

    @Override
    public Tensor sparseCategoricalCrossentropy(Tensor target, Tensor output, boolean fromLogits) {
        Output<?> o = b.in(output);
        Output<?> labels = b.in(target);
        int rank = output.shape().rank();
        if (target.shape().rank() == rank) {
            labels = b.op("Squeeze", ob -> ob.setAttr("squeeze_dims", new long[] {rank - 1}), labels);
        }
        DType lt = target.dtype();
        if (lt != DType.INT32 && lt != DType.INT64) {
            labels = b.cast(labels, DType.INT64);
            lt = DType.INT64;
        }
        if (fromLogits && TfGradients.sparseSoftmaxHasGradient()) {
            // The fused op Keras's TF backend uses (tf.nn.sparse_softmax_cross_entropy_with_logits); its gradient
            // is registered by TfGradients. It wants (batch, classes) logits and (batch,) labels.
            long[] od = output.shape().dims();
            Output<?> logits = o;
            Output<?> lab = labels;
            if (rank != 2) {
                logits = b.op("Reshape", o, b.constLongs(-1, od[rank - 1]));
                lab = b.op("Reshape", labels, b.constLongs(-1));
            }
            Output<?> loss = b.op("SparseSoftmaxCrossEntropyWithLogits", logits, lab);
            if (rank != 2) {
                long[] keep = java.util.Arrays.copyOf(od, rank - 1);
                loss = b.op("Reshape", loss, b.constLongs(keep));
            }
            return b.wrap(loss);
        }
        Output<?> logp = logProbabilities(o, fromLogits);
        Output<?> oh = b.cast(oneHotOutput(labels, lt, (int) output.shape().last()), Tf.dtype(logp.dataType()));
        Output<?> picked = b.op("Sum", ob -> ob.setAttr("keep_dims", false), b.op("Mul", oh, logp),
                b.constInts(rank - 1));
        return b.wrap(b.op("Neg", picked));
    }

    @Override
    public Tensor categoricalCrossentropy(Tensor target, Tensor output, boolean fromLogits) {
        Output<?> logp = logProbabilities(b.in(output), fromLogits);
        Output<?> y = b.cast(b.in(target), Tf.dtype(logp.dataType()));
        int rank = output.shape().rank();
        Output<?> s = b.op("Sum", ob -> ob.setAttr("keep_dims", false), b.op("Mul", y, logp), b.constInts(rank - 1));
        return b.wrap(b.op("Neg", s));
    }

    private Output<?> logProbabilities(Output<?> output, boolean fromLogits) {
        if (fromLogits) {
            return b.op("LogSoftmax", output);
        }
        // Keras rescales probabilities to sum to one, then clips them away from 0 and 1.
        int rank = output.shape().numDimensions();
        Output<?> sum = b.op("Sum", ob -> ob.setAttr("keep_dims", true), output, b.constInts(rank - 1));
        Output<?> p = b.op("RealDiv", output, sum);
        DType t = Tf.dtype(p.dataType());
        Output<?> clipped = b.op("ClipByValue", p, b.constScalar(EPSILON, t), b.constScalar(1 - EPSILON, t));
        return b.op("Log", clipped);
    }

    @Override
    public Tensor binaryCrossentropy(Tensor target, Tensor output, boolean fromLogits) {
        Output<?> o = b.in(output);
        DType t = output.dtype();
        Output<?> y = b.cast(b.in(target), t);
        if (fromLogits) {
            // max(x, 0) - x * z + log(1 + exp(-|x|)): stable for large |x|.
            Output<?> r = b.op("AddV2", b.op("Sub", b.op("Maximum", o, b.constScalar(0, t)), b.op("Mul", o, y)),
                    b.op("Log", add(b.op("Exp", b.op("Neg", b.op("Abs", o))), 1)));
            return b.wrap(r);
        }
        Output<?> p = b.op("ClipByValue", o, b.constScalar(EPSILON, t), b.constScalar(1 - EPSILON, t));
        Output<?> oneMinusY = b.op("Sub", b.constScalar(1, t), y);
        Output<?> oneMinusP = b.op("Sub", b.constScalar(1, t), p);
        Output<?> r = b.op("Neg", b.op("AddV2", b.op("Mul", y, b.op("Log", p)),
                b.op("Mul", oneMinusY, b.op("Log", oneMinusP))));
        return b.wrap(r);
    }

    @Override
    public Tensor dropout(Tensor x, double rate, long seed) {
        // tf.nn.dropout: keep where uniform >= rate, scale by 1 / (1 - rate). RandomUniform is stateful, so a
        // traced step draws a new mask on every run.
        Output<?> a = b.in(x);
        Output<?> u = b.op("RandomUniform", ob -> {
            ob.setAttr("dtype", Tf.dataType(DType.FLOAT32));
            ob.setAttr("seed", seed);
            ob.setAttr("seed2", SEED2.incrementAndGet());
        }, b.constLongs(x.shape().dims()));
        Output<?> keep = b.cast(b.op("GreaterEqual", u, b.constScalar(rate, DType.FLOAT32)), x.dtype());
        return b.wrap(mul(b.op("Mul", a, keep), 1 / (1 - rate)));
    }
}
