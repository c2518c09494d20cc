package io.sparkkeras.parity;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.CoreOps;
import io.sparkkeras.backend.GradientResult;
import io.sparkkeras.backend.StepFunction;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.losses.BinaryCrossentropy;
import io.sparkkeras.losses.CategoricalCrossentropy;
import io.sparkkeras.losses.Huber;
import io.sparkkeras.losses.Loss;
import io.sparkkeras.losses.MeanAbsoluteError;
import io.sparkkeras.losses.MeanSquaredError;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static io.sparkkeras.parity.Parity.RTOL;
import static io.sparkkeras.parity.Parity.TF;
import static io.sparkkeras.parity.Parity.TORCH;
import static io.sparkkeras.parity.Parity.assertAllClose;
import static io.sparkkeras.parity.Parity.on;
import static io.sparkkeras.parity.Parity.random;

/** Every loss: value and gradient with respect to the prediction, with and without sample weights. */
@Tag("tensorflow")
@Tag("torch")
class LossParityTest {

    private static List<NdArray> lossRun(String backend, Supplier<Loss> make, NdArray yTrue, NdArray yPred,
            NdArray sw) {
        return on(backend, () -> {
            Loss loss = make.get();
            Variable pred = new Variable("parity/pred", Parity.copy(yPred), true);
            CoreOps core = Backends.current().core();
            StepFunction f = core.compile("loss_parity", in -> {
                GradientResult g = core.valueAndGrad(
                        () -> loss.apply(in.get(0), pred.value(), in.size() > 1 ? in.get(1) : null), List.of(pred));
                List<Tensor> r = new ArrayList<>();
                r.add(g.value());
                r.addAll(g.gradients());
                return r;
            }, false);
            List<NdArray> r = Parity.run(f, sw == null ? List.of(yTrue) : List.of(yTrue, sw));
            pred.close();
            return r;
        });
    }

    private static void check(String what, Supplier<Loss> make, NdArray yTrue, NdArray yPred) {
        assertAllClose(what, lossRun(TORCH, make, yTrue, yPred, null), lossRun(TF, make, yTrue, yPred, null), RTOL);
        NdArray sw = NdArray.of(new float[] {0.5f, 2f, 0f, 1f, 1.5f, 1f}, 6);
        assertAllClose(what + " weighted", lossRun(TORCH, make, yTrue, yPred, sw),
                lossRun(TF, make, yTrue, yPred, sw), RTOL);
    }

    private static NdArray probabilities(long seed) {
        float[] v = random(seed, 6, 4).toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = (v[i] + 1.05f) / 2.1f;   // in (0, 1)
        }
        return NdArray.of(v, 6, 4);
    }

    private static NdArray oneHot(NdArray labels, int classes) {
        float[] v = new float[labels.length() * classes];
        for (int i = 0; i < labels.length(); i++) {
            v[i * classes + (int) labels.getDouble(i)] = 1;
        }
        return NdArray.of(v, labels.length(), classes);
    }

    @Test
    void regressionLosses() {
        NdArray y = random(1, 6, 4);
        NdArray p = random(2, 6, 4);
        check("MeanSquaredError", MeanSquaredError::new, y, p);
        check("MeanAbsoluteError", MeanAbsoluteError::new, y, p);
        check("Huber", () -> new Huber(0.5), y, p);
    }

    @Test
    void binaryCrossentropy() {
        NdArray y = NdArray.of(new float[] {0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0},
                6, 4);
        check("BinaryCrossentropy logits", () -> BinaryCrossentropy.builder().fromLogits(true).build(), y,
                random(3, 6, 4));
        check("BinaryCrossentropy probabilities", BinaryCrossentropy::new, y, probabilities(4));
    }

    @Test
    void categoricalCrossentropy() {
        NdArray labels = Parity.randomInts(5, 4, 6);
        NdArray y = oneHot(labels, 4);
        check("CategoricalCrossentropy logits", () -> CategoricalCrossentropy.builder().fromLogits(true).build(), y,
                random(6, 6, 4));
        check("CategoricalCrossentropy probabilities", CategoricalCrossentropy::new, y, probabilities(7));
        check("CategoricalCrossentropy label smoothing",
                () -> CategoricalCrossentropy.builder().fromLogits(true).labelSmoothing(0.1).build(), y,
                random(8, 6, 4));
    }

    @Test
    void sparseCategoricalCrossentropy() {
        NdArray labels = Parity.randomInts(9, 4, 6);
        // TensorFlow uses its fused SparseSoftmaxCrossEntropyWithLogits op here (gradient registered from Java);
        // torch takes log_softmax and gathers.
        check("SparseCategoricalCrossentropy logits",
                () -> SparseCategoricalCrossentropy.builder().fromLogits(true).build(), labels, random(10, 6, 4));
        check("SparseCategoricalCrossentropy probabilities", SparseCategoricalCrossentropy::new, labels,
                probabilities(11));
    }
}
