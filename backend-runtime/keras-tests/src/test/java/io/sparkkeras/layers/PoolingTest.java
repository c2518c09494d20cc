package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static io.sparkkeras.layers.LayerTesting.assertAllClose;
import static io.sparkkeras.layers.LayerTesting.assertConfigRoundTrip;
import static io.sparkkeras.layers.LayerTesting.assertInvalid;
import static io.sparkkeras.layers.LayerTesting.call;
import static io.sparkkeras.layers.LayerTesting.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

@Tag("torch")
class PoolingTest {

    @Test
    void configRoundTrip() {
        assertConfigRoundTrip(new MaxPooling2D(new int[] {3, 2}, new int[] {2, 1}, "same"), MaxPooling2D::fromConfig);
        assertConfigRoundTrip(new MaxPooling1D(2), MaxPooling1D::fromConfig);
        assertConfigRoundTrip(new AveragePooling2D(new int[] {2, 2}, null, "valid"), AveragePooling2D::fromConfig);
        assertConfigRoundTrip(new GlobalAveragePooling1D(), GlobalAveragePooling1D::fromConfig);
        assertConfigRoundTrip(GlobalAveragePooling2D.builder().keepdims(true).build(),
                GlobalAveragePooling2D::fromConfig);
        assertConfigRoundTrip(new GlobalMaxPooling2D(), GlobalMaxPooling2D::fromConfig);
    }

    /** Loop reference for 2D pooling; "same" pads the end like TensorFlow and averages only real values. */
    private static float[] pool(float[] x, int n, int h, int w, int c, int[] k, int[] s, String padding, boolean max,
            int[] outHw) {
        int oh = "same".equals(padding) ? (h + s[0] - 1) / s[0] : (h - k[0]) / s[0] + 1;
        int ow = "same".equals(padding) ? (w + s[1] - 1) / s[1] : (w - k[1]) / s[1] + 1;
        int pt = "same".equals(padding) ? Math.max((oh - 1) * s[0] + k[0] - h, 0) / 2 : 0;
        int pl = "same".equals(padding) ? Math.max((ow - 1) * s[1] + k[1] - w, 0) / 2 : 0;
        outHw[0] = oh;
        outHw[1] = ow;
        float[] y = new float[n * oh * ow * c];
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    for (int ch = 0; ch < c; ch++) {
                        double acc = max ? Double.NEGATIVE_INFINITY : 0;
                        int count = 0;
                        for (int a = 0; a < k[0]; a++) {
                            for (int e = 0; e < k[1]; e++) {
                                int r = i * s[0] + a - pt;
                                int q = j * s[1] + e - pl;
                                if (r >= 0 && r < h && q >= 0 && q < w) {
                                    float v = x[((b * h + r) * w + q) * c + ch];
                                    acc = max ? Math.max(acc, v) : acc + v;
                                    count++;
                                }
                            }
                        }
                        y[((b * oh + i) * ow + j) * c + ch] = (float) (max ? acc : acc / count);
                    }
                }
            }
        }
        return y;
    }

    private static void check(BasePooling layer, int n, int h, int w, int c, int[] k, int[] s, String padding,
            boolean max) {
        float[] x = values(11, n * h * w * c);
        NdArray y = call(layer, NdArray.of(x, n, h, w, c));
        int[] hw = new int[2];
        float[] expected = pool(x, n, h, w, c, k, s, padding, max, hw);
        assertEquals(Shape.of(n, hw[0], hw[1], c), y.shape());
        assertEquals(layer.computeOutputShape(Shape.of(n, h, w, c)), y.shape());
        assertAllClose(expected, y, 1e-6);
    }

    @Test
    void maxPooling2dValidAndSameWithStride2OnOddInputs() {
        check(new MaxPooling2D(2), 1, 4, 5, 2, new int[] {2, 2}, new int[] {2, 2}, "valid", true);
        check(new MaxPooling2D(new int[] {3, 3}, new int[] {2, 2}, "same"), 2, 5, 5, 1, new int[] {3, 3},
                new int[] {2, 2}, "same", true);
    }

    @Test
    void averagePooling2dSameAveragesOnlyRealValues() {
        check(new AveragePooling2D(new int[] {2, 2}, null, "valid"), 1, 4, 4, 1, new int[] {2, 2},
                new int[] {2, 2}, "valid", false);
        check(new AveragePooling2D(new int[] {3, 3}, new int[] {2, 2}, "same"), 1, 5, 6, 2, new int[] {3, 3},
                new int[] {2, 2}, "same", false);
    }

    @Test
    void maxPooling1dTakesTheMaximumOfEachWindow() {
        NdArray y = call(new MaxPooling1D(2), NdArray.of(new float[] {1, 5, -2, -3, 4, 0, 9}, 1, 7, 1));
        assertEquals(Shape.of(1, 3, 1), y.shape());
        assertAllClose(new float[] {5, -2, 4}, y, 0);
    }

    @Test
    void globalPoolingReducesEverySpatialAxis() {
        float[] x = {1, 10, 2, 20, 3, 30, -4, 40};   // (1, 2, 2, 2)
        assertAllClose(new float[] {0.5f, 25}, call(new GlobalAveragePooling2D(), NdArray.of(x, 1, 2, 2, 2)), 1e-6);
        assertAllClose(new float[] {3, 40}, call(new GlobalMaxPooling2D(), NdArray.of(x, 1, 2, 2, 2)), 0);
        NdArray kept = call(GlobalAveragePooling2D.builder().keepdims(true).build(), NdArray.of(x, 1, 2, 2, 2));
        assertEquals(Shape.of(1, 1, 1, 2), kept.shape());
        // (2, 2, 2): two sequences of two steps of two features
        NdArray y = call(new GlobalAveragePooling1D(), NdArray.of(x, 2, 2, 2));
        assertEquals(Shape.of(2, 2), y.shape());
        assertAllClose(new float[] {1.5f, 15, -0.5f, 35}, y, 1e-6);
    }

    @Test
    void rejectsBadPoolSize() {
        assertInvalid("pool_size", "pool_size=[0, 0]", () -> new MaxPooling2D(0));
    }

    @Test
    void rejectsBadStrides() {
        assertInvalid("strides", "strides=[2, 0]", () -> new AveragePooling2D(new int[] {2, 2}, new int[] {2, 0},
                "valid"));
    }

    @Test
    void rejectsUnknownPadding() {
        assertInvalid("padding", "padding=causal", () -> new MaxPooling2D(new int[] {2, 2}, null, "causal"));
    }

    @Test
    void globalPoolingRejectsChannelsFirst() {
        java.util.Map<String, Object> c = new GlobalAveragePooling2D().getConfig();
        c.put("data_format", "channels_first");
        assertInvalid("data_format", "data_format=channels_first", () -> GlobalAveragePooling2D.fromConfig(c));
    }
}
