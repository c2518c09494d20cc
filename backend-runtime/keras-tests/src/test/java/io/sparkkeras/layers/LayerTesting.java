package io.sparkkeras.layers;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.GradientResult;
import io.sparkkeras.backend.Scope;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** What the layer tests share: calling a layer on host arrays, comparing, round-tripping configs, gradient checks. */
final class LayerTesting {
    private LayerTesting() {
    }

    /** Deterministic values in [-1, 1). */
    static float[] values(long seed, int n) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }

    static NdArray random(long seed, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return NdArray.of(values(seed, n), shape);
    }

    /** Calls {@code layer} on {@code x} and copies the result to the host. */
    static NdArray call(Layer layer, NdArray x, boolean training) {
        try (Scope s = Backends.current().core().newScope()) {
            return layer.apply(Ops.convertToTensor(x), training).toNdArray();
        }
    }

    static NdArray call(Layer layer, NdArray x) {
        return call(layer, x, false);
    }

    /** Calls a merge layer on several inputs. */
    static NdArray call(Layer layer, List<NdArray> xs) {
        try (Scope s = Backends.current().core().newScope()) {
            List<Tensor> ts = xs.stream().map(Ops::convertToTensor).toList();
            return layer.apply(ts, false).toNdArray();
        }
    }

    static void assertAllClose(float[] expected, NdArray actual, double tol) {
        assertAllClose(expected, actual.toFloatArray(), tol);
    }

    static void assertAllClose(float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, "number of values");
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                fail("value " + i + ": expected " + expected[i] + " but was " + actual[i] + " (tolerance " + tol + ")");
            }
        }
    }

    /** {@code fromConfig(getConfig())} and the registry's round trip both give an equal config. */
    static <L extends Layer> L assertConfigRoundTrip(L layer, Function<Map<String, Object>, ? extends Layer> from) {
        Map<String, Object> config = layer.getConfig();
        Layer copy = from.apply(config);
        assertEquals(layer.getClass(), copy.getClass());
        assertEquals(config, copy.getConfig());
        assertEquals(config, Layers.deserialize(Layers.serialize(layer)).getConfig());
        return layer;
    }

    /** The constructor call fails naming {@code argument} and {@code received}. */
    static void assertInvalid(String argument, String received, Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(argument), "message should name " + argument + ": " + ex.getMessage());
        assertTrue(ex.getMessage().contains(received), "message should show " + received + ": " + ex.getMessage());
    }

    /**
     * Compares the backend's gradients of {@code sum(layer(x) * w)} (w fixed, random) with central differences on
     * every trainable weight, at most {@code maxPerWeight} elements each. float32, so {@code eps = 1e-2} and a
     * tolerance of {@code 2e-3 + 1e-2 * |grad|}.
     */
    static void assertGradientsMatch(Layer layer, NdArray x, boolean training, int maxPerWeight) {
        NdArray probe = probeFor(layer, x, training);
        List<Variable> weights = layer.trainableWeights();
        assertTrue(!weights.isEmpty(), "layer has trainable weights");
        List<float[]> analytic;
        try (Scope s = Backends.current().core().newScope()) {
            GradientResult g = Backends.current().core().valueAndGrad(() -> loss(layer, x, probe, training),
                    weights);
            analytic = g.gradients().stream().map(Tensor::toFloatArray).toList();
        }
        double eps = 1e-2;
        for (int w = 0; w < weights.size(); w++) {
            Variable v = weights.get(w);
            float[] base = v.numpy().toFloatArray();
            int[] shape = v.shape().intDims();
            int step = Math.max(1, base.length / maxPerWeight);
            for (int i = 0; i < base.length; i += step) {
                float[] p = base.clone();
                p[i] = (float) (base[i] + eps);
                v.assign(NdArray.of(p, shape));
                double plus = evalLoss(layer, x, probe, training);
                p[i] = (float) (base[i] - eps);
                v.assign(NdArray.of(p, shape));
                double minus = evalLoss(layer, x, probe, training);
                v.assign(NdArray.of(base, shape));
                double numeric = (plus - minus) / (2 * eps);
                double a = analytic.get(w)[i];
                assertTrue(Math.abs(numeric - a) <= 2e-3 + 1e-2 * Math.abs(a), v.path() + "[" + i + "]: analytic "
                        + a + " vs finite difference " + numeric);
            }
        }
    }

    /**
     * As {@link #assertGradientsMatch}, for the gradient with respect to the input {@code x} (what the layer below
     * receives in a model): every element of {@code x} against central differences.
     */
    static void assertInputGradientMatches(Layer layer, NdArray x, boolean training) {
        NdArray probe = probeFor(layer, x, training);
        float[] analytic;
        try (Scope s = Backends.current().core().newScope();
                Variable xv = new Variable("input", x, true)) {
            GradientResult g = Backends.current().core().valueAndGrad(
                    () -> Ops.sum(Ops.multiply(layer.apply(xv.value(), training), Ops.convertToTensor(probe))),
                    List.of(xv));
            analytic = g.gradients().get(0).toFloatArray();
        }
        float[] base = x.toFloatArray();
        int[] shape = x.shape().intDims();
        double eps = 1e-2;
        for (int i = 0; i < base.length; i++) {
            float[] p = base.clone();
            p[i] = (float) (base[i] + eps);
            double plus = evalLoss(layer, NdArray.of(p, shape), probe, training);
            p[i] = (float) (base[i] - eps);
            double minus = evalLoss(layer, NdArray.of(p, shape), probe, training);
            double numeric = (plus - minus) / (2 * eps);
            assertTrue(Math.abs(numeric - analytic[i]) <= 2e-3 + 1e-2 * Math.abs(analytic[i]), "input[" + i
                    + "]: analytic " + analytic[i] + " vs finite difference " + numeric);
        }
    }

    private static NdArray probeFor(Layer layer, NdArray x, boolean training) {
        NdArray y = call(layer, x, training);
        return NdArray.of(values(99, (int) y.size()), y.shape().intDims());
    }

    private static Tensor loss(Layer layer, NdArray x, NdArray probe, boolean training) {
        return Ops.sum(Ops.multiply(layer.apply(Ops.convertToTensor(x), training), Ops.convertToTensor(probe)));
    }

    private static double evalLoss(Layer layer, NdArray x, NdArray probe, boolean training) {
        try (Scope s = Backends.current().core().newScope()) {
            return loss(layer, x, probe, training).item();
        }
    }

    /** Reference channels_last 2D convolution with TensorFlow's padding rule; kernel (kh, kw, in, out). */
    static float[] conv2d(float[] x, int n, int h, int w, int c, float[] k, int kh, int kw, int f, int[] s,
            String padding, int[] d, int[] outHw) {
        int ekh = (kh - 1) * d[0] + 1;
        int ekw = (kw - 1) * d[1] + 1;
        int oh;
        int ow;
        int pt = 0;
        int pl = 0;
        if ("same".equals(padding)) {
            oh = (h + s[0] - 1) / s[0];
            ow = (w + s[1] - 1) / s[1];
            pt = Math.max((oh - 1) * s[0] + ekh - h, 0) / 2;
            pl = Math.max((ow - 1) * s[1] + ekw - w, 0) / 2;
        } else {
            oh = (h - ekh) / s[0] + 1;
            ow = (w - ekw) / s[1] + 1;
        }
        outHw[0] = oh;
        outHw[1] = ow;
        float[] y = new float[n * oh * ow * f];
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    for (int o = 0; o < f; o++) {
                        double acc = 0;
                        for (int a = 0; a < kh; a++) {
                            for (int e = 0; e < kw; e++) {
                                int r = i * s[0] + a * d[0] - pt;
                                int q = j * s[1] + e * d[1] - pl;
                                if (r < 0 || r >= h || q < 0 || q >= w) {
                                    continue;
                                }
                                for (int ch = 0; ch < c; ch++) {
                                    acc += x[((b * h + r) * w + q) * c + ch] * k[((a * kw + e) * c + ch) * f + o];
                                }
                            }
                        }
                        y[((b * oh + i) * ow + j) * f + o] = (float) acc;
                    }
                }
            }
        }
        return y;
    }
}
