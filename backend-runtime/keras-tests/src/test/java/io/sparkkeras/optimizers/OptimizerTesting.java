package io.sparkkeras.optimizers;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.Scope;
import io.sparkkeras.backend.Tensor;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.NdArray;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Runs an optimizer on fixed gradients and compares it with a plain double-precision Java loop that applies the
 * same clipping, decoupled weight decay and update rule.
 */
final class OptimizerTesting {
    /** Two variables (shapes (3,) and (2,)) and one gradient per step for each. */
    static final double[][] WEIGHTS = {{1.0, -2.0, 3.0}, {0.5, -0.25}};
    static final double[][][] GRADS = {
            {{3.0, -4.0, 0.5}, {1.0, 2.0}},
            {{-1.0, 0.5, 2.0}, {0.25, -3.0}},
            {{0.1, 0.2, -0.3}, {-0.5, 0.5}}};

    /** The per-variable update of one step, in double: mutates {@code w} and the slots kept by the implementor. */
    interface Rule {
        void update(int var, double[] w, double[] g, double lr, long step);
    }

    enum Clip { NONE, NORM, VALUE, GLOBAL_NORM }

    private OptimizerTesting() {
    }

    /** Applies {@code GRADS} for {@code steps} steps with the real optimizer; returns the weights. */
    static double[][] run(Optimizer opt, int steps) {
        List<Variable> vars = new ArrayList<>();
        for (int i = 0; i < WEIGHTS.length; i++) {
            vars.add(new Variable("dense/w" + i, NdArray.of(toFloat(WEIGHTS[i])), true));
        }
        try {
            for (int s = 0; s < steps; s++) {
                try (Scope scope = Backends.current().core().newScope()) {
                    List<Tensor> grads = new ArrayList<>();
                    for (double[] g : GRADS[s % GRADS.length]) {
                        grads.add(Ops.convertToTensor(NdArray.of(toFloat(g))));
                    }
                    opt.apply(grads, vars);
                }
            }
            double[][] r = new double[vars.size()][];
            for (int i = 0; i < vars.size(); i++) {
                float[] f = vars.get(i).numpy().toFloatArray();
                r[i] = new double[f.length];
                for (int j = 0; j < f.length; j++) {
                    r[i][j] = f[j];
                }
            }
            return r;
        } finally {
            vars.forEach(Variable::close);
            opt.close();
        }
    }

    /** The same steps in double precision. */
    static double[][] reference(Rule rule, int steps, java.util.function.LongToDoubleFunction lr, Clip clip,
                                double clipArg, Double weightDecay) {
        double[][] w = new double[WEIGHTS.length][];
        for (int i = 0; i < w.length; i++) {
            w[i] = WEIGHTS[i].clone();
        }
        for (int s = 0; s < steps; s++) {
            double[][] g = clip(GRADS[s % GRADS.length], clip, clipArg);
            double rate = lr.applyAsDouble(s);
            for (int i = 0; i < w.length; i++) {
                if (weightDecay != null) {
                    for (int j = 0; j < w[i].length; j++) {
                        w[i][j] -= w[i][j] * rate * weightDecay;
                    }
                }
                rule.update(i, w[i], g[i], rate, s);
            }
        }
        return w;
    }

    static double[][] reference(Rule rule, int steps, double lr) {
        return reference(rule, steps, s -> lr, Clip.NONE, 0, null);
    }

    private static double[][] clip(double[][] grads, Clip clip, double c) {
        double[][] r = new double[grads.length][];
        double global = 0;
        for (double[] g : grads) {
            global += sumSq(g);
        }
        global = Math.sqrt(global);
        for (int i = 0; i < grads.length; i++) {
            r[i] = grads[i].clone();
            double norm = clip == Clip.NORM ? Math.sqrt(sumSq(grads[i])) : global;
            for (int j = 0; j < r[i].length; j++) {
                switch (clip) {
                    case VALUE -> r[i][j] = Math.max(-c, Math.min(c, r[i][j]));
                    case NORM, GLOBAL_NORM -> r[i][j] = r[i][j] * c / Math.max(norm, c);
                    default -> { }
                }
            }
        }
        return r;
    }

    private static double sumSq(double[] g) {
        double s = 0;
        for (double x : g) {
            s += x * x;
        }
        return s;
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** Element-wise equality within {@code tol} (absolute, plus relative to the magnitude). */
    static void assertClose(double[][] expected, double[][] actual, double tol) {
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                double e = expected[i][j];
                assertEquals(e, actual[i][j], tol * (1 + Math.abs(e)), "variable " + i + " element " + j);
            }
        }
    }

    /** Zero-filled slot arrays shaped like {@code WEIGHTS}. */
    static double[][] slots(double initial) {
        double[][] r = new double[WEIGHTS.length][];
        for (int i = 0; i < r.length; i++) {
            r[i] = new double[WEIGHTS[i].length];
            java.util.Arrays.fill(r[i], initial);
        }
        return r;
    }
}
