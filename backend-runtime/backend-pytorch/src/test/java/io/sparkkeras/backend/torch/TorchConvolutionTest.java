package io.sparkkeras.backend.torch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The convolution composed of strided slices and a matmul, which the torch backend uses where libtorch's own
 * convolution gradients are wrong: its output equals libtorch's forward pass (right on every machine seen), and its
 * input and kernel gradients equal central differences, for 1-D and 2-D, strides, dilation, padding and groups.
 */
class TorchConvolutionTest {
    private static NDManager manager;
    private static boolean gradMode;

    @BeforeAll
    static void engine() {
        manager = Engine.getEngine("PyTorch").newBaseManager();
        gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
    }

    @AfterAll
    static void close() {
        JniUtils.setGradMode(gradMode);
        manager.close();
    }

    @Test
    void twoDimensional() {
        int[] one = {1, 1};
        check(new long[] {2, 3, 7, 6}, new long[] {4, 3, 3, 3}, one, new long[] {0, 0}, one, 1);
        check(new long[] {2, 3, 7, 6}, new long[] {4, 3, 3, 2}, new int[] {2, 1}, new long[] {1, 1}, one, 1);
        check(new long[] {1, 2, 8, 8}, new long[] {2, 2, 2, 3}, new int[] {1, 2}, new long[] {0, 2}, new int[] {2, 1},
                1);
    }

    @Test
    void oneDimensional() {
        check(new long[] {2, 3, 9}, new long[] {4, 3, 3}, new int[] {1}, new long[] {1}, new int[] {1}, 1);
        check(new long[] {3, 2, 10}, new long[] {3, 2, 2}, new int[] {3}, new long[] {0}, new int[] {2}, 1);
    }

    @Test
    void groups() {
        check(new long[] {2, 6, 5, 5}, new long[] {4, 3, 3, 3}, new int[] {1, 1}, new long[] {1, 1}, new int[] {1, 1},
                2);
    }

    @Test
    void thePathCanBeChosenAndABadChoiceIsNamed() {
        TorchBackend torch = (TorchBackend) io.sparkkeras.backend.Backends.get("torch");
        String before = System.getProperty(TorchConvolution.PATH_PROPERTY);
        try {
            System.setProperty(TorchConvolution.PATH_PROPERTY, "composed");
            assertEquals(TorchConvolution.COMPOSED, new TorchConvolution(torch).verdict());
            System.setProperty(TorchConvolution.PATH_PROPERTY, "libtorch");
            assertEquals(TorchConvolution.LIBTORCH, new TorchConvolution(torch).verdict());
            System.setProperty(TorchConvolution.PATH_PROPERTY, "onednn");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new TorchConvolution(torch).verdict());
            assertTrue(e.getMessage().contains("sparkkeras.torch.convolution=onednn"), e.getMessage());
            assertTrue(e.getMessage().contains("auto, libtorch or composed"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(TorchConvolution.PATH_PROPERTY);
            } else {
                System.setProperty(TorchConvolution.PATH_PROPERTY, before);
            }
        }
    }

    private static void check(long[] xShape, long[] wShape, int[] strides, long[] pad, int[] dilation, int groups) {
        try (NDManager m = manager.newSubManager()) {
            Random r = new Random(3);
            NDArray x = m.create(values(r, xShape), new Shape(xShape));
            NDArray w = m.create(values(r, wShape), new Shape(wShape));
            NDArray expected = JniUtils.convolution((PtNDArray) x, (PtNDArray) w, null, shape(strides), new Shape(pad),
                    shape(dilation), groups);
            NDArray probe = m.create(values(r, expected.getShape().getShape()), expected.getShape());
            x.setRequiresGradient(true);
            w.setRequiresGradient(true);
            NDArray y = TorchConvolution.composed(x, w, strides, pad, dilation, groups);
            assertArrayEquals(expected.toFloatArray(), y.toFloatArray(), 1e-5f, "output");
            NDArray loss = y.mul(probe).sum();
            JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), false, false);
            float[] dx = x.getGradient().toFloatArray();
            float[] dw = w.getGradient().toFloatArray();
            x.setRequiresGradient(false);
            w.setRequiresGradient(false);
            assertMatchesFiniteDifferences("input", x, dx, () -> TorchConvolution.composed(x, w, strides, pad,
                    dilation, groups).mul(probe).sum().getFloat());
            assertMatchesFiniteDifferences("kernel", w, dw, () -> TorchConvolution.composed(x, w, strides, pad,
                    dilation, groups).mul(probe).sum().getFloat());
        }
    }

    /** Central differences of {@code loss} over every element of {@code a}, changed in place and restored. */
    private static void assertMatchesFiniteDifferences(String what, NDArray a, float[] analytic,
            java.util.function.DoubleSupplier loss) {
        float[] base = a.toFloatArray();
        double eps = 1e-2;
        for (int i = 0; i < base.length; i++) {
            float[] p = base.clone();
            p[i] = (float) (base[i] + eps);
            a.set(p);
            double plus = loss.getAsDouble();
            p[i] = (float) (base[i] - eps);
            a.set(p);
            double minus = loss.getAsDouble();
            a.set(base);
            double numeric = (plus - minus) / (2 * eps);
            assertTrue(Math.abs(numeric - analytic[i]) <= 2e-3 + 1e-2 * Math.abs(analytic[i]),
                    what + "[" + i + "]: analytic " + analytic[i] + " vs finite difference " + numeric);
        }
    }

    private static float[] values(Random r, long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }

    private static Shape shape(int[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            l[i] = v[i];
        }
        return new Shape(l);
    }
}
