package io.sparkkeras.parity;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.StepFunction;
import io.sparkkeras.metrics.AUC;
import io.sparkkeras.metrics.BinaryAccuracy;
import io.sparkkeras.metrics.CategoricalAccuracy;
import io.sparkkeras.metrics.Metric;
import io.sparkkeras.metrics.Precision;
import io.sparkkeras.metrics.Recall;
import io.sparkkeras.metrics.SparseCategoricalAccuracy;
import io.sparkkeras.metrics.SparseTopKCategoricalAccuracy;
import io.sparkkeras.metrics.TopKCategoricalAccuracy;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Supplier;

import static io.sparkkeras.parity.Parity.TF;
import static io.sparkkeras.parity.Parity.TORCH;
import static io.sparkkeras.parity.Parity.on;
import static io.sparkkeras.parity.Parity.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every metric: two updates inside a compiled step (as fit does), then the host result, on both backends. */
@Tag("tensorflow")
@Tag("torch")
class MetricParityTest {

    private static double result(String backend, Supplier<Metric> make, NdArray yTrue, NdArray yPred) {
        return on(backend, () -> {
            Metric m = make.get();
            StepFunction f = Backends.current().core().compile("metric_parity", in -> {
                m.updateState(in.get(0), in.get(1), null);
                return List.of();
            }, false);
            int half = yTrue.length() / 2;
            Parity.run(f, List.of(yTrue.rows(0, half), yPred.rows(0, half)));
            Parity.run(f, List.of(yTrue.rows(half, yTrue.length()), yPred.rows(half, yTrue.length())));
            double r = m.result();
            m.close();
            return r;
        });
    }

    private static void check(String what, Supplier<Metric> make, NdArray yTrue, NdArray yPred) {
        double torch = result(TORCH, make, yTrue, yPred);
        double tf = result(TF, make, yTrue, yPred);
        assertEquals(torch, tf, 1e-6 * Math.max(1, Math.abs(torch)), what);
    }

    private static NdArray unit(NdArray a) {
        float[] v = a.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = (v[i] + 1) / 2;
        }
        return NdArray.of(v, a.shape().intDims());
    }

    @Test
    void accuracies() {
        NdArray labels = Parity.randomInts(1, 5, 40);
        NdArray scores = random(2, 40, 5);
        float[] oh = new float[200];
        for (int i = 0; i < 40; i++) {
            oh[i * 5 + (int) labels.getDouble(i)] = 1;
        }
        NdArray oneHot = NdArray.of(oh, 40, 5);
        check("SparseCategoricalAccuracy", SparseCategoricalAccuracy::new, labels, scores);
        check("CategoricalAccuracy", CategoricalAccuracy::new, oneHot, scores);
        check("TopKCategoricalAccuracy", () -> new TopKCategoricalAccuracy(2), oneHot, scores);
        check("SparseTopKCategoricalAccuracy", () -> new SparseTopKCategoricalAccuracy(2), labels, scores);
    }

    @Test
    void binaryMetrics() {
        NdArray y = Parity.randomInts(3, 2, 40, 1);
        float[] yf = new float[40];
        for (int i = 0; i < 40; i++) {
            yf[i] = (float) y.getDouble(i);
        }
        NdArray yTrue = NdArray.of(yf, 40, 1);
        NdArray p = unit(random(4, 40, 1));
        check("BinaryAccuracy", BinaryAccuracy::new, yTrue, p);
        check("Precision", Precision::new, yTrue, p);
        check("Recall", Recall::new, yTrue, p);
        check("AUC", AUC::new, yTrue, p);
    }
}
