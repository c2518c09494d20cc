package io.sparkkeras.backend.torch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.sparkkeras.backend.Backend;
import io.sparkkeras.backend.CoreOps;
import io.sparkkeras.backend.NnOps;
import io.sparkkeras.backend.NumpyOps;
import io.sparkkeras.backend.RandomOps;

/**
 * Keras on PyTorch through DJL. One per JVM, made by {@link TorchBackendProvider} when first selected; it loads
 * libtorch from the {@code pytorch-native-cpu} jar (offline). See the package notes for its decisions.
 *
 * <pre>{@code
 * // java -DKERAS_BACKEND=torch -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 ...
 * Backend torch = Backends.get("torch");
 * }</pre>
 */
public final class TorchBackend implements Backend {
    private final NDManager rootManager;
    private final NDManager variablesManager;
    private final TorchScope rootScope;
    private final TorchCore core;
    private final TorchNumpy numpy;
    private final TorchNn nn;
    private final TorchRandom random;
    private final TorchOptimizerKernels kernels = new TorchOptimizerKernels(this);

    TorchBackend() {
        Engine engine = Engine.getEngine("PyTorch");
        MallocAdvice.logOnce();
        this.rootManager = engine.newBaseManager();
        this.variablesManager = engine.newBaseManager();
        this.rootScope = TorchScope.root(this, rootManager);
        this.core = new TorchCore(this);
        this.numpy = new TorchNumpy(this);
        this.nn = new TorchNn(this);
        this.random = new TorchRandom(this);
    }

    @Override
    public String name() {
        return "torch";
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

    @Override
    public io.sparkkeras.backend.OptimizerKernels optimizerKernels() {
        return kernels;
    }

    NDManager variablesManager() {
        return variablesManager;
    }

    TorchScope rootScope() {
        return rootScope;
    }

    /** The manager new tensors go to on this thread. */
    NDManager manager() {
        return TorchScope.current(this).manager();
    }
}
