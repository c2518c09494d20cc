package io.sparkkeras.backend.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.NumpyOps;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Tensor;

import java.util.ArrayList;
import java.util.List;

import static io.sparkkeras.backend.torch.Torch.nd;

/** numpy-like ops on PyTorch: Keras's {@code backend/torch/numpy.py} and {@code math.py}. */
final class TorchNumpy implements NumpyOps {
    private final TorchBackend b;

    TorchNumpy(TorchBackend b) {
        this.b = b;
    }

    private Tensor t(NDArray a) {
        return TorchTensor.of(b, a);
    }

    @Override
    public Tensor add(Tensor x, Tensor y) {
        return t(nd(x).add(nd(y)));
    }

    @Override
    public Tensor subtract(Tensor x, Tensor y) {
        return t(nd(x).sub(nd(y)));
    }

    @Override
    public Tensor multiply(Tensor x, Tensor y) {
        return t(nd(x).mul(nd(y)));
    }

    @Override
    public Tensor divide(Tensor x, Tensor y) {
        NDArray a = nd(x);
        NDArray c = nd(y);
        // Integer division in numpy (and Keras) is true division.
        if (!a.getDataType().isFloating() && !c.getDataType().isFloating()) {
            a = a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        }
        return t(a.div(c));
    }

    @Override
    public Tensor negative(Tensor x) {
        return t(nd(x).neg());
    }

    @Override
    public Tensor abs(Tensor x) {
        return t(nd(x).abs());
    }

    @Override
    public Tensor square(Tensor x) {
        return t(nd(x).square());
    }

    @Override
    public Tensor sqrt(Tensor x) {
        return t(nd(x).sqrt());
    }

    @Override
    public Tensor exp(Tensor x) {
        return t(nd(x).exp());
    }

    @Override
    public Tensor log(Tensor x) {
        return t(nd(x).log());
    }

    @Override
    public Tensor tanh(Tensor x) {
        return t(nd(x).tanh());
    }

    @Override
    public Tensor sign(Tensor x) {
        return t(nd(x).sign());
    }

    @Override
    public Tensor floor(Tensor x) {
        return t(nd(x).floor());
    }

    @Override
    public Tensor round(Tensor x) {
        return t(nd(x).round());
    }

    @Override
    public Tensor power(Tensor x, Tensor exponent) {
        return t(nd(x).pow(nd(exponent)));
    }

    @Override
    public Tensor maximum(Tensor x, Tensor y) {
        return t(nd(x).maximum(nd(y)));
    }

    @Override
    public Tensor minimum(Tensor x, Tensor y) {
        return t(nd(x).minimum(nd(y)));
    }

    @Override
    public Tensor clip(Tensor x, double min, double max) {
        return t(nd(x).clip(min, max));
    }

    @Override
    public Tensor where(Tensor condition, Tensor x, Tensor y) {
        NDArray c = nd(condition);
        if (c.getDataType() != ai.djl.ndarray.types.DataType.BOOLEAN) {
            c = c.toType(ai.djl.ndarray.types.DataType.BOOLEAN, false);
        }
        return t(NDArrays.where(c, nd(x), nd(y)));
    }

    @Override
    public Tensor equal(Tensor x, Tensor y) {
        return t(nd(x).eq(nd(y)));
    }

    @Override
    public Tensor notEqual(Tensor x, Tensor y) {
        return t(nd(x).neq(nd(y)));
    }

    @Override
    public Tensor greater(Tensor x, Tensor y) {
        return t(nd(x).gt(nd(y)));
    }

    @Override
    public Tensor greaterEqual(Tensor x, Tensor y) {
        return t(nd(x).gte(nd(y)));
    }

    @Override
    public Tensor less(Tensor x, Tensor y) {
        return t(nd(x).lt(nd(y)));
    }

    @Override
    public Tensor lessEqual(Tensor x, Tensor y) {
        return t(nd(x).lte(nd(y)));
    }

    @Override
    public Tensor logicalAnd(Tensor x, Tensor y) {
        return t(nd(x).logicalAnd(nd(y)));
    }

    @Override
    public Tensor logicalOr(Tensor x, Tensor y) {
        return t(nd(x).logicalOr(nd(y)));
    }

    @Override
    public Tensor logicalNot(Tensor x) {
        return t(nd(x).logicalNot());
    }

    @Override
    public Tensor isNan(Tensor x) {
        return t(nd(x).isNaN());
    }

    @Override
    public Tensor isInf(Tensor x) {
        return t(nd(x).isInfinite());
    }

    @Override
    public Tensor matmul(Tensor x, Tensor y) {
        return t(nd(x).matMul(nd(y)));
    }

    @Override
    public Tensor sum(Tensor x, int[] axes, boolean keepdims) {
        NDArray a = nd(x);
        return t(axes == null ? a.sum() : a.sum(norm(axes, a), keepdims));
    }

    @Override
    public Tensor mean(Tensor x, int[] axes, boolean keepdims) {
        NDArray a = nd(x);
        if (!a.getDataType().isFloating()) {
            a = a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        }
        return t(axes == null ? a.mean() : meanOver(b, a, norm(axes, a), keepdims));
    }

    /** Mean over several axes: DJL's {@code PtNDArray.mean} takes only one, so sum and divide by the count. */
    static NDArray meanOver(TorchBackend b, NDArray a, int[] axes, boolean keepdims) {
        if (axes.length == 1) {
            return a.mean(axes, keepdims);
        }
        long count = 1;
        for (int ax : axes) {
            count *= a.getShape().get(ax);
        }
        return a.sum(axes, keepdims).div(Torch.number(b, a, count));
    }

    /** Max or min over several axes, one axis at a time from the last (DJL's reductions take only one). */
    private static NDArray reduceOver(NDArray a, int[] axes, boolean keepdims, boolean max) {
        int[] sorted = axes.clone();
        java.util.Arrays.sort(sorted);
        NDArray r = a;
        for (int i = sorted.length - 1; i >= 0; i--) {
            int[] one = {sorted[i]};
            r = max ? r.max(one, keepdims) : r.min(one, keepdims);
        }
        return r;
    }

    @Override
    public Tensor max(Tensor x, int[] axes, boolean keepdims) {
        NDArray a = nd(x);
        return t(axes == null ? a.max() : reduceOver(a, norm(axes, a), keepdims, true));
    }

    @Override
    public Tensor min(Tensor x, int[] axes, boolean keepdims) {
        NDArray a = nd(x);
        return t(axes == null ? a.min() : reduceOver(a, norm(axes, a), keepdims, false));
    }

    private static int[] norm(int[] axes, NDArray a) {
        int rank = a.getShape().dimension();
        int[] r = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            r[i] = Torch.axis(axes[i], rank);
        }
        return r;
    }

    @Override
    public Tensor argmax(Tensor x, int axis) {
        NDArray a = nd(x);
        return t(a.argMax(Torch.axis(axis, a.getShape().dimension())));
    }

    @Override
    public List<Tensor> topK(Tensor x, int k) {
        NDList r = nd(x).topK(k, -1, true, true);
        return List.of(t(r.get(0)), t(r.get(1)));
    }

    @Override
    public Tensor cumsum(Tensor x, int axis) {
        NDArray a = nd(x);
        return t(a.cumSum(Torch.axis(axis, a.getShape().dimension())));
    }

    @Override
    public Tensor reshape(Tensor x, long[] shape) {
        return t(nd(x).reshape(shape));
    }

    @Override
    public Tensor transpose(Tensor x, int[] perm) {
        return t(nd(x).transpose(perm));
    }

    @Override
    public Tensor expandDims(Tensor x, int axis) {
        NDArray a = nd(x);
        int rank = a.getShape().dimension();
        return t(a.expandDims(axis < 0 ? axis + rank + 1 : axis));
    }

    @Override
    public Tensor squeeze(Tensor x, int axis) {
        NDArray a = nd(x);
        return t(a.squeeze(Torch.axis(axis, a.getShape().dimension())));
    }

    @Override
    public Tensor concatenate(List<Tensor> xs, int axis) {
        NDList l = list(xs);
        return t(NDArrays.concat(l, Torch.axis(axis, l.get(0).getShape().dimension())));
    }

    @Override
    public Tensor stack(List<Tensor> xs, int axis) {
        NDList l = list(xs);
        return t(NDArrays.stack(l, axis < 0 ? axis + l.get(0).getShape().dimension() + 1 : axis));
    }

    private static NDList list(List<Tensor> xs) {
        NDList l = new NDList(xs.size());
        for (Tensor x : xs) {
            l.add(nd(x));
        }
        return l;
    }

    @Override
    public Tensor take(Tensor x, Tensor indices, int axis) {
        NDArray a = nd(x);
        int ax = Torch.axis(axis, a.getShape().dimension());
        NDArray idx = nd(indices);
        if (idx.getDataType() != ai.djl.ndarray.types.DataType.INT64) {
            idx = idx.toType(ai.djl.ndarray.types.DataType.INT64, false);
        }
        if (ax == 0) {
            // F.embedding: a differentiable gather of rows.
            return t(JniUtils.embedding((PtNDArray) idx, (PtNDArray) a, false));
        }
        int rank = a.getShape().dimension();
        int[] perm = new int[rank];
        perm[0] = ax;
        for (int i = 1, j = 0; i < rank; i++, j++) {
            if (j == ax) {
                j++;
            }
            perm[i] = j;
        }
        NDArray moved = JniUtils.embedding((PtNDArray) idx, (PtNDArray) a.transpose(perm), false);
        // moved: (*idx, rest...) — put the taken axis back where it was.
        int idxRank = idx.getShape().dimension();
        int outRank = moved.getShape().dimension();
        int[] back = new int[outRank];
        int k = 0;
        for (int i = 0; i < ax; i++) {
            back[k++] = idxRank + i;
        }
        for (int i = 0; i < idxRank; i++) {
            back[k++] = i;
        }
        for (int i = idxRank + ax; i < outRank; i++) {
            back[k++] = i;
        }
        return t(moved.transpose(back));
    }

    @Override
    public Tensor repeat(Tensor x, int repeats, int axis) {
        NDArray a = nd(x);
        return t(a.repeat(Torch.axis(axis, a.getShape().dimension()), repeats));
    }

    @Override
    public Tensor pad(Tensor x, long[][] padWidth, double constant) {
        NDArray a = nd(x);
        int rank = a.getShape().dimension();
        // torch's F.pad lists (before, after) from the last axis backwards.
        long[] p = new long[2 * rank];
        for (int i = 0; i < rank; i++) {
            p[2 * i] = padWidth[rank - 1 - i][0];
            p[2 * i + 1] = padWidth[rank - 1 - i][1];
        }
        return t(JniUtils.pad((PtNDArray) a, p, constant));
    }

    @Override
    public Tensor slice(Tensor x, long[] start, long[] size) {
        NDArray a = nd(x);
        NDIndex idx = new NDIndex();
        long[] dims = a.getShape().getShape();
        for (int i = 0; i < start.length; i++) {
            long end = size[i] < 0 ? dims[i] : start[i] + size[i];
            idx.addSliceDim(start[i], end);
        }
        return t(a.get(idx));
    }

    @Override
    public Tensor zeros(Shape shape, DType dtype) {
        return t(b.manager().zeros(Torch.shape(shape), Torch.dataType(dtype)));
    }

    @Override
    public Tensor ones(Shape shape, DType dtype) {
        return t(b.manager().ones(Torch.shape(shape), Torch.dataType(dtype)));
    }

    @Override
    public Tensor full(Shape shape, double value, DType dtype) {
        return t(b.manager().full(Torch.shape(shape), (float) value, Torch.dataType(dtype)));
    }

    @Override
    public Tensor zerosLike(Tensor x) {
        return t(nd(x).zerosLike());
    }

    @Override
    public Tensor onesLike(Tensor x) {
        return t(nd(x).onesLike());
    }

    @Override
    public Tensor arange(double start, double stop, double step, DType dtype) {
        return t(b.manager().arange((float) start, (float) stop, (float) step, Torch.dataType(dtype)));
    }

}
