package io.sparkkeras.backend.tensorflow;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.GradientResult;
import io.sparkkeras.backend.Scope;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.StepFunction;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.callbacks.History;
import io.sparkkeras.datasets.FashionMnist;
import io.sparkkeras.initializers.Initializers;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Flatten;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.FitOptions;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.optimizers.SGD;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("tensorflow")
class TfBackendTest {
    private Backends.Selection selection;

    @BeforeEach
    void select() {
        selection = Backends.use("tensorflow");
    }

    @AfterEach
    void restore() {
        selection.close();
    }

    @Test
    void eagerOpsOutsideATrace() {
        assertEquals("tensorflow", Backends.current().name());
        try (Scope s = Backends.current().core().newScope()) {
            Tensor a = Ops.convertToTensor(NdArray.of(new float[] {1, 2, 3, 4}, 2, 2));
            Tensor b = Ops.add(Ops.matmul(a, a), 1.0);
            assertArrayEquals(new float[] {8, 11, 16, 23}, b.toFloatArray(), 1e-6f);
            assertEquals(Shape.of(2, 2), b.shape());
            assertEquals(10.0, Ops.sum(a).item(), 1e-6);
            assertEquals(DType.INT64, Ops.argmax(a, -1).dtype());
        }
    }

    @Test
    void variablesReadAssignAndGradientsOutsideATrace() {
        try (Variable v = new Variable("w", NdArray.of(new float[] {1, 2, 3}), true);
                Scope s = Backends.current().core().newScope()) {
            v.assignAdd(Ops.convertToTensor(NdArray.of(new float[] {1, 1, 1})));
            assertArrayEquals(new float[] {2, 3, 4}, v.numpy().toFloatArray(), 1e-6f);
            GradientResult r = Backends.current().core().valueAndGrad(
                    () -> Ops.sum(Ops.square(v.value())), List.of(v));
            assertEquals(29.0, r.value().item(), 1e-5);
            assertArrayEquals(new float[] {4, 6, 8}, r.gradients().get(0).toFloatArray(), 1e-5f);
        }
    }

    @Test
    void compiledStepUpdatesInProgramOrder() {
        try (Variable v = new Variable("w", NdArray.of(new float[] {1, 2}), true);
                Variable count = new Variable("n", Shape.scalar(), DType.FLOAT32, Initializers.get("zeros"), false)) {
            StepFunction step = Backends.current().core().compile("sgd_step", in -> {
                GradientResult r = Backends.current().core().valueAndGrad(
                        () -> Ops.sum(Ops.multiply(Ops.square(v.value()), in.get(0))), List.of(v));
                v.assignSub(Ops.multiply(r.gradients().get(0), 0.1));
                count.assignAdd(Ops.scalar(1));
                return List.of(r.value(), Ops.sum(v.value()));
            }, false);
            for (int i = 0; i < 3; i++) {
                try (Scope s = Backends.current().core().newScope()) {
                    List<Tensor> out = step.apply(List.of(Ops.convertToTensor(NdArray.of(new float[] {1, 1}))));
                    double[] w = {Math.pow(0.8, i), 2 * Math.pow(0.8, i)};
                    assertEquals(w[0] * w[0] + w[1] * w[1], out.get(0).item(), 1e-5);
                    assertEquals(0.8 * (w[0] + w[1]), out.get(1).item(), 1e-5);
                }
            }
            assertEquals(3.0, count.numpy().getDouble(0), 0);
            assertEquals(1, ((TfTrainer.CompiledStep) step).traceCount());
        }
    }

    @Test
    void anUpdateInsideTheDifferentiatedFunctionRunsOnce() {
        try (Variable w = new Variable("w", NdArray.of(new float[] {2}), true);
                Variable moving = new Variable("m", NdArray.of(new float[] {0}), false)) {
            StepFunction step = Backends.current().core().compile("bn_like", in -> {
                GradientResult r = Backends.current().core().valueAndGrad(() -> {
                    moving.assign(Ops.add(Ops.multiply(moving.value(), 0.99), Ops.multiply(in.get(0), 0.01)));
                    return Ops.sum(Ops.multiply(w.value(), in.get(0)));
                }, List.of(w));
                return List.of(r.value(), r.gradients().get(0));
            }, false);
            try (Scope s = Backends.current().core().newScope()) {
                step.apply(List.of(Ops.convertToTensor(NdArray.of(new float[] {1}))));
            }
            assertEquals(0.01, moving.numpy().getDouble(0), 1e-7);
        }
    }

    @Test
    void batchNormalizationMovingMeanMovesOnce() {
        NdArray x = NdArray.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
        io.sparkkeras.layers.BatchNormalization bn = new io.sparkkeras.layers.BatchNormalization();
        bn.buildFor(x.shape());
        try (Variable xv = new Variable("x", x, true)) {
            List<Variable> vars = new java.util.ArrayList<>(bn.trainableWeights());
            vars.add(xv);
            StepFunction step = Backends.current().core().compile("bn", in -> {
                GradientResult r = Backends.current().core().valueAndGrad(
                        () -> Ops.sum(bn.apply(xv.value(), true)), vars);
                return List.of(r.value());
            }, false);
            try (Scope s = Backends.current().core().newScope()) {
                step.apply(List.of(Ops.convertToTensor(NdArray.of(new float[] {1}))));
            }
            java.util.Iterator<org.tensorflow.GraphOperation> it =
                    ((TfBackend) Backends.current()).currentGraph().graph.operations();
            int assigns = 0;
            while (it.hasNext()) {
                org.tensorflow.GraphOperation op = it.next();
                if (op.type().startsWith("Assign") && op.name().startsWith("bn")) {
                    assigns++;
                    System.out.println("ASSIGN " + op.name() + " " + op.type());
                }
            }
            assertEquals(2, assigns);
            assertArrayEquals(new float[] {0.04f, 0.05f}, bn.movingMean().numpy().toFloatArray(), 1e-6f);
        }
        bn.close();
    }

    @Test
    void symbolicTensorsDoNotEscapeTheirTrace() {
        Tensor[] leaked = new Tensor[1];
        StepFunction step = Backends.current().core().compile("leak", in -> {
            leaked[0] = Ops.add(in.get(0), 1.0);
            return List.of(leaked[0]);
        }, false);
        try (Scope s = Backends.current().core().newScope()) {
            step.apply(List.of(Ops.convertToTensor(NdArray.of(new float[] {1}))));
            assertThrows(IllegalStateException.class, () -> leaked[0].toNdArray());
        }
    }

    @Test
    @Timeout(120)
    void tinyDenseModelLearnsALine() {
        RandomSeeds.setRandomSeed(1);
        float[] xs = new float[64];
        float[] ys = new float[64];
        for (int i = 0; i < 64; i++) {
            xs[i] = i / 32f - 1;
            ys[i] = 2 * xs[i] + 1;
        }
        Sequential m = new Sequential(new Input(1), new Dense(1));
        m.compile(new SGD(0.1), "mse", List.of());
        History h = m.fit(NdArray.of(xs, 64, 1), NdArray.of(ys, 64, 1), new FitOptions().epochs(20).batchSize(16)
                .verbose(0));
        List<Double> loss = h.history().get("loss");
        assertTrue(loss.get(loss.size() - 1) < 1e-3, "loss " + loss);
        NdArray w = m.getWeights().get(0);
        assertEquals(2.0, w.getDouble(0), 0.05);
        m.close();
    }

    @Test
    @Timeout(300)
    void mlpLearnsFashionMnistSubset() throws Exception {
        RandomSeeds.setRandomSeed(7);
        FashionMnist.Data d = FashionMnist.loadData(FashionMnist.DEFAULT_DIR, 12000, 2000);
        NdArray x = FashionMnist.scaled(d.xTrain());
        Sequential model = new Sequential(new Input(28, 28), new Flatten(), new Dense(256, "relu"),
                new Dense(128, "relu"), new Dense(10));
        model.compile(new Adam(1e-3), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                List.of("accuracy"));
        long t0 = System.nanoTime();
        History h = model.fit(x, d.yTrain(), new FitOptions().epochs(3).batchSize(128).verbose(0));
        double secs = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> result = model.evaluate(FashionMnist.scaled(d.xTest()), d.yTest(), 256, 0);
        System.out.printf("tensorflow MLP: 3 epochs of 12000 in %.2f s (%.0f samples/s), history %s, test %s%n",
                secs, 36000 / secs, h.history(), result);
        List<Double> losses = h.history().get("loss");
        assertTrue(losses.get(2) < losses.get(0), "loss should fall: " + losses);
        assertTrue(result.get("accuracy") > 0.80, "test accuracy " + result);
        NdArray p = model.predict(FashionMnist.scaled(d.xTest()).rows(0, 5));
        assertEquals(Shape.of(5, 10), p.shape());
        model.close();
    }
}
