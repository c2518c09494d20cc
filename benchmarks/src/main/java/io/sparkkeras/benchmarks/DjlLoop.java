package io.sparkkeras.benchmarks;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.sparkkeras.examples.ReferenceModels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * The baseline a DJL user would write by hand: the same model as DJL blocks, DJL's {@code Trainer} with Adam
 * 1e-3, a gradient collector per batch, the same shuffled batches. Data layout is DJL's native NCHW. With
 * {@code metrics}, the loop also keeps what a loop that reports progress keeps, as our {@code fit} does for a model
 * compiled with {@code "accuracy"}: the running loss and the count of right predictions, read each step as DJL's
 * {@code Accuracy} evaluator reads them.
 */
final class DjlLoop {
    private DjlLoop() {
    }

    static SequentialBlock mlp() {
        return new SequentialBlock()
                .add(DjlLoop::standardize)
                .add(Blocks.batchFlattenBlock(784))
                .add(Linear.builder().setUnits(256).build()).add(Activation::relu)
                .add(Linear.builder().setUnits(128).build()).add(Activation::relu)
                .add(Linear.builder().setUnits(10).build());
    }

    static SequentialBlock cnn() {
        return new SequentialBlock()
                .add(DjlLoop::standardize)
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(32).build()).add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(64).build()).add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Dropout.builder().optRate(0.5f).build())
                .add(Linear.builder().setUnits(10).build());
    }

    /** The same model as ours: the reference models standardize their pixels first ({@link ReferenceModels}). */
    private static NDList standardize(NDList in) {
        return new NDList(in.singletonOrThrow().mul((float) (1 / ReferenceModels.PIXEL_STD))
                .add((float) (-ReferenceModels.PIXEL_MEAN / ReferenceModels.PIXEL_STD)));
    }

    /**
     * Trains one pass over {@code x} (float32 pixels, n x 784) and returns samples per second.
     *
     * @param warmupSteps steps run before the clock starts
     */
    static double train(boolean cnn, float[] x, int[] y, int n, int batchSize, int warmupSteps, boolean metrics) {
        try (Model model = Model.newInstance(cnn ? "cnn" : "mlp", "PyTorch")) {
            model.setBlock(cnn ? cnn() : mlp());
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).optEpsilon(1e-7f)
                            .build());
            try (Trainer trainer = model.newTrainer(config)) {
                Shape in = cnn ? new Shape(batchSize, 1, 28, 28) : new Shape(batchSize, 784);
                trainer.initialize(in);
                int[] order = permutation(n, 42);
                ByteBuffer xb = ByteBuffer.allocateDirect(batchSize * 784 * 4).order(ByteOrder.nativeOrder());
                ByteBuffer yb = ByteBuffer.allocateDirect(batchSize * 4).order(ByteOrder.nativeOrder());
                NDManager root = trainer.getManager();
                int steps = (n + batchSize - 1) / batchSize;
                long t0 = 0;
                int timedSamples = 0;
                double lossSum = 0;
                long right = 0;
                for (int s = 0; s < warmupSteps + steps; s++) {
                    if (s == warmupSteps) {
                        t0 = System.nanoTime();
                    }
                    int from = (s % steps) * batchSize;
                    int m = Math.min(batchSize, n - from);
                    xb.clear();
                    yb.clear();
                    for (int i = 0; i < m; i++) {
                        int r = order[from + i];
                        for (int j = 0; j < 784; j++) {
                            xb.putFloat(x[r * 784 + j]);
                        }
                        yb.putFloat(y[r]);
                    }
                    xb.flip();
                    yb.flip();
                    try (NDManager step = root.newSubManager()) {
                        Shape xs = cnn ? new Shape(m, 1, 28, 28) : new Shape(m, 784);
                        NDArray bx = step.create(xb, xs, DataType.FLOAT32);
                        NDArray by = step.create(yb, new Shape(m), DataType.FLOAT32);
                        NDList pred;
                        NDArray loss;
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            pred = trainer.forward(new NDList(bx));
                            loss = trainer.getLoss().evaluate(new NDList(by), pred);
                            gc.backward(loss);
                        }
                        trainer.step();
                        if (metrics) {
                            lossSum += loss.getFloat();
                            right += pred.singletonOrThrow().argMax(1).toType(DataType.FLOAT32, false).eq(by).sum()
                                    .toType(DataType.INT64, false).getLong();
                        }
                    }
                    if (s >= warmupSteps) {
                        timedSamples += m;
                    }
                }
                if (metrics && !(lossSum > 0 && right > 0)) {
                    throw new IllegalStateException("hand-written DJL loop kept no metrics");
                }
                return timedSamples / ((System.nanoTime() - t0) / 1e9);
            }
        }
    }

    static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
