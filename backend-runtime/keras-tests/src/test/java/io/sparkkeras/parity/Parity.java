package io.sparkkeras.parity;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.CoreOps;
import io.sparkkeras.backend.GradientResult;
import io.sparkkeras.backend.Scope;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.StepFunction;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.layers.Layer;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.NdArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the same Keras code on the torch and tensorflow backends and compares the numbers. Variables belong to one
 * backend, so each run builds its own objects inside {@code Backends.use(...)}; weights cross as host arrays.
 * Every step goes through {@code CoreOps.compile}, so TensorFlow traces it as {@code fit} does.
 */
final class Parity {
    static final String TORCH = "torch";
    static final String TF = "tensorflow";
    /** Default relative tolerance; convolutions get {@link #CONV_RTOL}. */
    static final double RTOL = 1e-5;
    static final double CONV_RTOL = 1e-4;

    private Parity() {
    }

    static <T> T on(String backend, Supplier<T> body) {
        try (Backends.Selection s = Backends.use(backend)) {
            return body.get();
        }
    }

    static NdArray random(long seed, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return NdArray.of(v, shape);
    }

    static NdArray randomInts(long seed, int bound, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        Random r = new Random(seed);
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(bound);
        }
        return NdArray.of(v, shape);
    }

    /**
     * Asserts {@code max|a - b| <= rtol * max|a|} (relative in the infinity norm; an all-zero {@code expected}
     * needs an all-zero {@code actual} up to {@code rtol}).
     */
    static void assertClose(String what, NdArray expected, NdArray actual, double rtol) {
        assertClose(what, TORCH, expected, TF, actual, rtol);
    }

    /** As above, naming the two sides in the message ({@code expected} comes from {@code expectedSide}). */
    static void assertClose(String what, String expectedSide, NdArray expected, String actualSide, NdArray actual,
            double rtol) {
        assertEquals(expected.shape(), actual.shape(), what + ": shapes differ");
        double[] a = doubles(expected);
        double[] b = doubles(actual);
        double scale = 0;
        double err = 0;
        int worst = -1;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(a[i]));
            double e = Math.abs(a[i] - b[i]);
            if (!(e <= err)) {
                err = e;
                worst = i;
            }
        }
        double tol = rtol * Math.max(scale, 1e-6);
        assertTrue(err <= tol, String.format("%s: max |%s - %s| = %.3g > %.1g * %.3g (element %d: %s %.8g, %s %.8g)",
                what, expectedSide, actualSide, err, rtol, scale, worst, expectedSide, worst < 0 ? 0 : a[worst],
                actualSide, worst < 0 ? 0 : b[worst]));
    }

    static void assertAllClose(String what, List<NdArray> expected, List<NdArray> actual, double rtol) {
        assertEquals(expected.size(), actual.size(), what + ": counts differ");
        for (int i = 0; i < expected.size(); i++) {
            assertClose(what + "[" + i + "]", expected.get(i), actual.get(i), rtol);
        }
    }

    /**
     * A fresh host copy. Arrays handed to a backend are copied first: the torch backend may keep using the memory of
     * an array it was given (DJL creates tensors over direct buffers without copying), so a later in-place update
     * there would change what the other backend receives.
     */
    static NdArray copy(NdArray a) {
        NdArray c = NdArray.zeros(a.dtype(), a.shape());
        c.buffer().put(a.buffer().duplicate());
        return c;
    }

    static List<NdArray> copies(List<NdArray> as) {
        List<NdArray> r = new ArrayList<>(as.size());
        for (NdArray a : as) {
            r.add(copy(a));
        }
        return r;
    }

    static double[] doubles(NdArray a) {
        int n = (int) a.shape().size();
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            r[i] = a.getDouble(i);
        }
        return r;
    }

    /** Runs {@code step} once in a scope of the current backend and copies its outputs to the host. */
    static List<NdArray> run(StepFunction step, List<NdArray> inputs) {
        CoreOps core = Backends.current().core();
        try (Scope s = core.newScope()) {
            List<Tensor> in = new ArrayList<>();
            for (NdArray a : inputs) {
                in.add(Ops.convertToTensor(a));
            }
            List<NdArray> out = new ArrayList<>();
            for (Tensor t : step.apply(in)) {
                out.add(t.toNdArray());
            }
            return out;
        }
    }

    /**
     * Calls a layer on {@code x} and differentiates {@code sum(output * r)} ({@code r} fixed random) with respect
     * to the trainable weights and, if {@code inputGrad}, the input. Returns the output, the loss, the gradients
     * and then every weight after the call (moving statistics change in training).
     *
     * @param weights initial weights, or {@code null} to keep the layer's own
     */
    static List<NdArray> layerRun(String backend, Supplier<Layer> make, NdArray x, List<NdArray> weights,
            boolean training, boolean inputGrad) {
        return on(backend, () -> {
            Layer l = make.get();
            l.buildFor(x.shape());
            if (weights != null) {
                l.setWeights(copies(weights));
            }
            Shape outShape = l.computeOutputShape(x.shape());
            NdArray r = random(99, outShape.intDims());
            Variable xv = new Variable("parity/x", copy(x), inputGrad);
            List<Variable> vars = new ArrayList<>(l.trainableWeights());
            if (inputGrad) {
                vars.add(xv);
            }
            CoreOps core = Backends.current().core();
            StepFunction f = core.compile("layer_parity", in -> {
                Tensor[] out = new Tensor[1];
                if (vars.isEmpty()) {
                    out[0] = l.apply(xv.value(), training);
                    return List.of(out[0], Ops.sum(Ops.multiply(out[0], in.get(0))));
                }
                GradientResult g = core.valueAndGrad(() -> {
                    out[0] = l.apply(xv.value(), training);
                    return Ops.sum(Ops.multiply(out[0], in.get(0)));
                }, vars);
                List<Tensor> res = new ArrayList<>();
                res.add(out[0]);
                res.add(g.value());
                res.addAll(g.gradients());
                return res;
            }, false);
            List<NdArray> res = new ArrayList<>(run(f, List.of(r)));
            res.addAll(l.getWeights());
            l.close();
            xv.close();
            return res;
        });
    }

    /** Layer parity: same weights and input on both backends, outputs, gradients and weights after compared. */
    static void assertLayerParity(String what, Supplier<Layer> make, NdArray x, boolean training, double rtol) {
        boolean inputGrad = x.dtype().isFloatingPoint();
        List<NdArray> w = on(TORCH, () -> {
            Layer l = make.get();
            l.buildFor(x.shape());
            List<NdArray> r = l.getWeights();
            l.close();
            return r;
        });
        List<NdArray> torch = layerRun(TORCH, make, x, w, training, inputGrad);
        List<NdArray> tf = layerRun(TF, make, x, w, training, inputGrad);
        assertAllClose(what, torch, tf, rtol);
    }
}
