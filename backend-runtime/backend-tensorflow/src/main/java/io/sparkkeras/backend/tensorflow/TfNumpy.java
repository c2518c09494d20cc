package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.NumpyOps;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.utils.NdArray;
import org.tensorflow.Operation;
import org.tensorflow.Output;

import java.util.List;

/** numpy-like ops on TensorFlow: Keras's {@code backend/tensorflow/numpy.py} and {@code math.py}. */
final class TfNumpy implements NumpyOps {
    private final TfBackend b;

    TfNumpy(TfBackend b) {
        this.b = b;
    }

    private Tensor unary(String type, Tensor x) {
        return b.wrap(b.op(type, b.in(x)));
    }

    /** A binary op with numpy's type promotion (TensorFlow needs both operands of one dtype). */
    private Tensor binary(String type, Tensor x, Tensor y) {
        DType t = Tf.promote(x.dtype(), y.dtype());
        return b.wrap(b.op(type, b.cast(b.in(x), t), b.cast(b.in(y), t)));
    }

    private Output<?> bool(Tensor x) {
        return b.cast(b.in(x), DType.BOOL);
    }

    @Override
    public Tensor add(Tensor x, Tensor y) {
        return binary("AddV2", x, y);
    }

    @Override
    public Tensor subtract(Tensor x, Tensor y) {
        return binary("Sub", x, y);
    }

    @Override
    public Tensor multiply(Tensor x, Tensor y) {
        return binary("Mul", x, y);
    }

    @Override
    public Tensor divide(Tensor x, Tensor y) {
        DType t = Tf.promote(x.dtype(), y.dtype());
        if (!t.isFloatingPoint()) {
            t = DType.FLOAT32;   // integer division in numpy (and Keras) is true division
        }
        return b.wrap(b.op("RealDiv", b.cast(b.in(x), t), b.cast(b.in(y), t)));
    }

    @Override
    public Tensor negative(Tensor x) {
        return unary("Neg", x);
    }

    @Override
    public Tensor abs(Tensor x) {
        return unary("Abs", x);
    }

    @Override
    public Tensor square(Tensor x) {
        return unary("Square", x);
    }

    @Override
    public Tensor sqrt(Tensor x) {
        return unary("Sqrt", x);
    }

    @Override
    public Tensor exp(Tensor x) {
        return unary("Exp", x);
    }

    @Override
    public Tensor log(Tensor x) {
        return unary("Log", x);
    }

    @Override
    public Tensor tanh(Tensor x) {
        return unary("Tanh", x);
    }

    @Override
    public Tensor sign(Tensor x) {
        return unary("Sign", x);
    }

    @Override
    public Tensor floor(Tensor x) {
        return unary("Floor", x);
    }

    @Override
    public Tensor round(Tensor x) {
        return unary("Round", x);   // half to even, as torch.round and numpy
    }

    @Override
    public Tensor power(Tensor x, Tensor exponent) {
        return binary("Pow", x, exponent);
    }

    @Override
    public Tensor maximum(Tensor x, Tensor y) {
        return binary("Maximum", x, y);
    }

    @Override
    public Tensor minimum(Tensor x, Tensor y) {
        return binary("Minimum", x, y);
    }

    @Override
    public Tensor clip(Tensor x, double min, double max) {
        DType t = x.dtype();
        return b.wrap(b.op("ClipByValue", b.in(x), b.constScalar(min, t), b.constScalar(max, t)));
    }

    @Override
    public Tensor where(Tensor condition, Tensor x, Tensor y) {
        DType t = Tf.promote(x.dtype(), y.dtype());
        return b.wrap(b.op("SelectV2", bool(condition), b.cast(b.in(x), t), b.cast(b.in(y), t)));
    }

    @Override
    public Tensor equal(Tensor x, Tensor y) {
        return binary("Equal", x, y);
    }

    @Override
    public Tensor notEqual(Tensor x, Tensor y) {
        return binary("NotEqual", x, y);
    }

    @Override
    public Tensor greater(Tensor x, Tensor y) {
        return binary("Greater", x, y);
    }

    @Override
    public Tensor greaterEqual(Tensor x, Tensor y) {
        return binary("GreaterEqual", x, y);
    }

    @Override
    public Tensor less(Tensor x, Tensor y) {
        return binary("Less", x, y);
    }

    @Override
    public Tensor lessEqual(Tensor x, Tensor y) {
        return binary("LessEqual", x, y);
    }

    @Override
    public Tensor logicalAnd(Tensor x, Tensor y) {
        return b.wrap(b.op("LogicalAnd", bool(x), bool(y)));
    }

    @Override
    public Tensor logicalOr(Tensor x, Tensor y) {
        return b.wrap(b.op("LogicalOr", bool(x), bool(y)));
    }

    @Override
    public Tensor logicalNot(Tensor x) {
        return b.wrap(b.op("LogicalNot", bool(x)));
    }

    @Override
    public Tensor isNan(Tensor x) {
        return unary("IsNan", x);
    }

    @Override
    public Tensor isInf(Tensor x) {
        return unary("IsInf", x);
    }

    @Override
    public Tensor matmul(Tensor x, Tensor y) {
        int ra = x.shape().rank();
        int rb = y.shape().rank();
        DType t = Tf.promote(x.dtype(), y.dtype());
        Output<?> a = b.cast(b.in(x), t);
        Output<?> c = b.cast(b.in(y), t);
        if (ra == 2 && rb == 2) {
            return b.wrap(b.op("MatMul", a, c));
        }
        // numpy semantics for vectors: promote to matrices, then drop the added axis.
        if (ra == 1) {
            a = b.op("ExpandDims", a, b.constInt(0));
        }
        if (rb == 1) {
            c = b.op("ExpandDims", c, b.constInt(-1));
        }
        Output<?> r = b.op("BatchMatMulV2", a, c);
        if (rb == 1) {
            r = squeezeAxis(r, -1);
        }
        if (ra == 1) {
            r = squeezeAxis(r, -2);
        }
        return b.wrap(r);
    }

    private Output<?> squeezeAxis(Output<?> x, int axis) {
        int rank = x.shape().numDimensions();
        long ax = Tf.axis(axis, rank);
        return b.op("Squeeze", ob -> ob.setAttr("squeeze_dims", new long[] {ax}), x);
    }

    private static int[] allAxes(int rank) {
        int[] r = new int[rank];
        for (int i = 0; i < rank; i++) {
            r[i] = i;
        }
        return r;
    }

    private Output<?> reduce(String type, Output<?> x, int[] axes, boolean keepdims) {
        int rank = x.shape().numDimensions();
        int[] ax = axes == null ? allAxes(rank) : norm(axes, rank);
        return b.op(type, ob -> ob.setAttr("keep_dims", keepdims), x, b.constInts(ax));
    }

    static int[] norm(int[] axes, int rank) {
        int[] r = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            r[i] = Tf.axis(axes[i], rank);
        }
        return r;
    }

    @Override
    public Tensor sum(Tensor x, int[] axes, boolean keepdims) {
        return b.wrap(reduce("Sum", b.in(x), axes, keepdims));
    }

    @Override
    public Tensor mean(Tensor x, int[] axes, boolean keepdims) {
        Output<?> a = b.in(x);
        if (!x.dtype().isFloatingPoint()) {
            a = b.cast(a, DType.FLOAT32);
        }
        return b.wrap(reduce("Mean", a, axes, keepdims));
    }

    /** Mean over axes in the current context (for TfNn). */
    Output<?> meanOver(Output<?> x, int[] axes, boolean keepdims) {
        return reduce("Mean", x, axes, keepdims);
    }

    @Override
    public Tensor max(Tensor x, int[] axes, boolean keepdims) {
        return b.wrap(reduce("Max", b.in(x), axes, keepdims));
    }

    @Override
    public Tensor min(Tensor x, int[] axes, boolean keepdims) {
        return b.wrap(reduce("Min", b.in(x), axes, keepdims));
    }

    @Override
    public Tensor argmax(Tensor x, int axis) {
        int ax = Tf.axis(axis, x.shape().rank());
        return b.wrap(b.op("ArgMax", ob -> ob.setAttr("output_type", Tf.dataType(DType.INT64)), b.in(x),
                b.constInt(ax)));
    }

    @Override
    public List<Tensor> topK(Tensor x, int k) {
        Operation op = b.build("TopKV2", ob -> ob.setAttr("sorted", true), b.in(x), b.constInt(k));
        Output<?> idx = b.cast(op.output(1), DType.INT64);
        return List.of(b.wrap(op.output(0)), b.wrap(idx));
    }

    @Override
    public Tensor cumsum(Tensor x, int axis) {
        int ax = Tf.axis(axis, x.shape().rank());
        return b.wrap(b.op("Cumsum", b.in(x), b.constInt(ax)));
    }

    @Override
    public Tensor reshape(Tensor x, long[] shape) {
        return b.wrap(b.op("Reshape", b.in(x), b.constLongs(shape)));
    }

    @Override
    public Tensor transpose(Tensor x, int[] perm) {
        return b.wrap(b.op("Transpose", b.in(x), b.constInts(norm(perm, x.shape().rank()))));
    }

    @Override
    public Tensor expandDims(Tensor x, int axis) {
        int rank = x.shape().rank();
        return b.wrap(b.op("ExpandDims", b.in(x), b.constInt(axis < 0 ? axis + rank + 1 : axis)));
    }

    @Override
    public Tensor squeeze(Tensor x, int axis) {
        return b.wrap(squeezeAxis(b.in(x), axis));
    }

    private Output<?>[] promoted(List<Tensor> xs) {
        DType t = xs.get(0).dtype();
        for (Tensor x : xs) {
            t = Tf.promote(t, x.dtype());
        }
        Output<?>[] r = new Output<?>[xs.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = b.cast(b.in(xs.get(i)), t);
        }
        return r;
    }

    @Override
    public Tensor concatenate(List<Tensor> xs, int axis) {
        Output<?>[] in = promoted(xs);
        int ax = Tf.axis(axis, xs.get(0).shape().rank());
        Output<?> axisConst = b.constInt(ax);
        return b.wrap(b.build("ConcatV2", ob -> {
            ob.addInputList(in);
            ob.addInput(axisConst);
        }).output(0));
    }

    @Override
    public Tensor stack(List<Tensor> xs, int axis) {
        Output<?>[] in = promoted(xs);
        int rank = xs.get(0).shape().rank();
        long ax = axis < 0 ? axis + rank + 1 : axis;
        return b.wrap(b.build("Pack", ob -> {
            ob.addInputList(in);
            ob.setAttr("axis", ax);
        }).output(0));
    }

    @Override
    public Tensor take(Tensor x, Tensor indices, int axis) {
        int ax = Tf.axis(axis, x.shape().rank());
        Output<?> idx = indices.dtype() == DType.INT32 || indices.dtype() == DType.INT64 ? b.in(indices)
                : b.cast(b.in(indices), DType.INT64);
        return b.wrap(b.op("GatherV2", ob -> ob.setAttr("batch_dims", 0L), b.in(x), idx, b.constInt(ax)));
    }

    @Override
    public Tensor repeat(Tensor x, int repeats, int axis) {
        long[] dims = x.shape().dims();
        int ax = Tf.axis(axis, dims.length);
        Output<?> e = b.op("ExpandDims", b.in(x), b.constInt(ax + 1));
        int[] mult = new int[dims.length + 1];
        java.util.Arrays.fill(mult, 1);
        mult[ax + 1] = repeats;
        Output<?> tiled = b.op("Tile", e, b.constInts(mult));
        long[] out = dims.clone();
        out[ax] = dims[ax] * repeats;
        return b.wrap(b.op("Reshape", tiled, b.constLongs(out)));
    }

    @Override
    public Tensor pad(Tensor x, long[][] padWidth, double constant) {
        return b.wrap(padOutput(b.in(x), padWidth, constant, x.dtype()));
    }

    Output<?> padOutput(Output<?> x, long[][] padWidth, double constant, DType dtype) {
        int rank = padWidth.length;
        // int32 paddings: TensorFlow's C++ Pad gradient slices them with int32 bounds.
        int[] flat = new int[2 * rank];
        for (int i = 0; i < rank; i++) {
            flat[2 * i] = Math.toIntExact(padWidth[i][0]);
            flat[2 * i + 1] = Math.toIntExact(padWidth[i][1]);
        }
        Output<?> paddings = b.op("Reshape", b.constInts(flat), b.constInts(rank, 2));
        return b.op("PadV2", x, paddings, b.constScalar(constant, dtype));
    }

    @Override
    public Tensor slice(Tensor x, long[] start, long[] size) {
        // int32 bounds: TensorFlow's C++ Slice gradient builds int32 shapes and cannot mix them with int64.
        return b.wrap(b.op("Slice", b.in(x), b.constInts(toInts(start)), b.constInts(toInts(size))));
    }

    static int[] toInts(long[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = Math.toIntExact(v[i]);
        }
        return r;
    }

    Output<?> fill(Shape shape, double value, DType dtype) {
        return b.op("Fill", b.constLongs(shape.dims()), b.constScalar(value, dtype));
    }

    @Override
    public Tensor zeros(Shape shape, DType dtype) {
        return b.wrap(fill(shape, 0, dtype));
    }

    @Override
    public Tensor ones(Shape shape, DType dtype) {
        return b.wrap(fill(shape, 1, dtype));
    }

    @Override
    public Tensor full(Shape shape, double value, DType dtype) {
        return b.wrap(fill(shape, value, dtype));
    }

    @Override
    public Tensor zerosLike(Tensor x) {
        // A fill of the static shape: no graph edge back to x, so no gradient path through it.
        return b.wrap(fill(x.shape(), 0, x.dtype()));
    }

    @Override
    public Tensor onesLike(Tensor x) {
        return b.wrap(fill(x.shape(), 1, x.dtype()));
    }

    @Override
    public Tensor arange(double start, double stop, double step, DType dtype) {
        int n = (int) Math.max(0, Math.ceil((stop - start) / step));
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = start + i * step;
        }
        NdArray host = NdArray.of(v);
        Output<?> c = b.constant(Tf.toTf(host));
        return b.wrap(b.cast(c, dtype));
    }
}
