package io.sparkkeras.backend.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.sparkkeras.backend.CoreOps;
import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.GradientResult;
import io.sparkkeras.backend.Scope;
import io.sparkkeras.backend.StepFunction;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.backend.VariableState;
import io.sparkkeras.utils.NdArray;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Tensors, variables, scopes and gradients on PyTorch: Keras's {@code backend/torch/core.py}. */
final class TorchCore implements CoreOps {
    /** Constants reused every step (hyper-parameters, 1 - beta): made once, kept with the variables. */
    private static final int SCALAR_CACHE_SIZE = 512;

    private final TorchBackend b;
    private final java.util.concurrent.ConcurrentHashMap<ScalarKey, TorchTensor> scalars =
            new java.util.concurrent.ConcurrentHashMap<>();

    private record ScalarKey(double value, DType dtype) {
    }

    TorchCore(TorchBackend b) {
        this.b = b;
    }

    @Override
    public Tensor convert(NdArray a) {
        NDArray nd = b.manager().create(a.buffer(), Torch.shape(a.shape()), Torch.dataType(a.dtype()));
        return new TorchTensor(b, nd);
    }

    @Override
    public NdArray toNdArray(Tensor t) {
        return t.toNdArray();
    }

    @Override
    public Tensor scalar(double value, DType dtype) {
        ScalarKey key = new ScalarKey(value, dtype);
        TorchTensor cached = scalars.get(key);
        if (cached != null) {
            return cached;
        }
        boolean keep = scalars.size() < SCALAR_CACHE_SIZE;
        ai.djl.ndarray.NDManager m = keep ? b.variablesManager() : b.manager();
        NDArray nd = switch (dtype) {
            case FLOAT64 -> m.create(value);
            case INT32 -> m.create((int) value);
            case INT64 -> m.create((long) value);
            case BOOL -> m.create(value != 0);
            default -> m.create((float) value);
        };
        TorchTensor t = new TorchTensor(b, nd, keep);
        if (keep) {
            TorchTensor prev = scalars.putIfAbsent(key, t);
            if (prev != null) {
                nd.close();
                return prev;
            }
        }
        return t;
    }

    @Override
    public Tensor cast(Tensor x, DType dtype) {
        return TorchTensor.of(b, Torch.nd(x).toType(Torch.dataType(dtype), false));
    }

    @Override
    public Tensor stopGradient(Tensor x) {
        return TorchTensor.of(b, Torch.nd(x).stopGradient());
    }

    @Override
    public VariableState newVariable(String path, NdArray initialValue, boolean trainable) {
        return new TorchVariable(b, initialValue, trainable);
    }

    @Override
    public Scope newScope() {
        return TorchScope.open(b);
    }

    @Override
    public GradientResult valueAndGrad(Supplier<Tensor> fn, List<Variable> variables) {
        List<PtNDArray> params = new ArrayList<>(variables.size());
        for (Variable v : variables) {
            PtNDArray p = (PtNDArray) Torch.nd(v.value());
            if (p.hasGradient()) {
                // Gradients accumulate in libtorch: start each step from zero.
                JniUtils.zeroGrad(p);
            }
            params.add(p);
        }
        TorchScope scope = TorchScope.current(b);
        Tensor loss;
        JniUtils.setGradMode(true);
        scope.gradMode = true;
        try {
            loss = fn.get();
            if (loss.shape().size() != 1) {
                throw new IllegalArgumentException("valueAndGrad needs a scalar loss; the function returned shape "
                        + loss.shape());
            }
            PtNDArray l = (PtNDArray) Torch.nd(loss);
            NDArray seed = b.manager().ones(l.getShape(), l.getDataType());
            JniUtils.backward(l, (PtNDArray) seed, false, false);
        } finally {
            scope.gradMode = false;
            JniUtils.setGradMode(false);
        }
        List<Tensor> grads = new ArrayList<>(params.size());
        for (int i = 0; i < params.size(); i++) {
            PtNDArray p = params.get(i);
            if (!p.hasGradient()) {
                throw new IllegalArgumentException("Variable '" + variables.get(i).path() + "' is not trainable in "
                        + "the engine: it was created with trainable=false");
            }
            grads.add(TorchTensor.of(b, JniUtils.getGradient(p)));
        }
        return new GradientResult(loss, grads);
    }

    @Override
    public StepFunction compile(String name, StepFunction fn, boolean jitCompile) {
        return fn;   // eager: nothing to trace
    }

    @Override
    public void setSeed(long seed) {
        ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed((int) seed);
    }
}
