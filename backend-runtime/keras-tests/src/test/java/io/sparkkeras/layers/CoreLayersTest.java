package io.sparkkeras.layers;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.function.DoubleUnaryOperator;

import static io.sparkkeras.layers.LayerTesting.assertAllClose;
import static io.sparkkeras.layers.LayerTesting.assertConfigRoundTrip;
import static io.sparkkeras.layers.LayerTesting.assertInvalid;
import static io.sparkkeras.layers.LayerTesting.call;
import static io.sparkkeras.layers.LayerTesting.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Activation, Dropout, Flatten and InputLayer. */
@Tag("torch")
class CoreLayersTest {

    @Test
    void configRoundTrip() {
        assertConfigRoundTrip(new Activation("gelu"), Activation::fromConfig);
        assertConfigRoundTrip(new Dropout(0.25, 42L, null), Dropout::fromConfig);
        assertConfigRoundTrip(new Flatten(), Flatten::fromConfig);
        assertConfigRoundTrip(new InputLayer(Shape.of(3, 4), DType.FLOAT32, "pixels"), InputLayer::fromConfig);
    }

    /** erf by Abramowitz and Stegun 7.1.26 (error below 1.5e-7). */
    private static double erf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x));
        double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592)
                * t * Math.exp(-x * x);
        return x >= 0 ? y : -y;
    }

    private static void checkElementwise(String id, DoubleUnaryOperator f) {
        float[] x = {-3, -1, -0.5f, 0, 0.25f, 1, 2.5f};
        float[] expected = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = (float) f.applyAsDouble(x[i]);
        }
        assertAllClose(expected, call(new Activation(id), NdArray.of(x, 1, x.length)), 1e-5);
    }

    @Test
    void activationsMatchTheirFormulas() {
        checkElementwise("relu", v -> Math.max(v, 0));
        checkElementwise("sigmoid", v -> 1 / (1 + Math.exp(-v)));
        checkElementwise("tanh", Math::tanh);
        checkElementwise("gelu", v -> 0.5 * v * (1 + erf(v / Math.sqrt(2))));
        checkElementwise("silu", v -> v / (1 + Math.exp(-v)));
        checkElementwise("leaky_relu", v -> v >= 0 ? v : 0.2 * v);
        checkElementwise("elu", v -> v >= 0 ? v : Math.exp(v) - 1);
        checkElementwise("linear", v -> v);
    }

    @Test
    void softmaxNormalizesTheLastAxis() {
        float[] x = {1, 2, 3, -1, 0, 1000};
        NdArray y = call(new Activation("softmax"), NdArray.of(x, 2, 3));
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertAllClose(new float[] {(float) (Math.exp(1) / z), (float) (Math.exp(2) / z), (float) (Math.exp(3) / z),
            0, 0, 1}, y, 1e-6);
    }

    @Test
    void rejectsUnknownActivation() {
        assertInvalid("activation", "activation=swishy", () -> new Activation("swishy"));
    }

    @Test
    void dropoutPassesThroughInInferenceAndScalesKeptValuesInTraining() {
        float[] x = values(21, 400);
        Dropout dropout = new Dropout(0.5);
        assertAllClose(x, call(dropout, NdArray.of(x, 4, 100), false), 0);

        float[] y = call(dropout, NdArray.of(x, 4, 100), true).toFloatArray();
        int dropped = 0;
        for (int i = 0; i < x.length; i++) {
            if (y[i] == 0) {
                dropped++;
            } else {
                assertEquals(x[i] * 2, y[i], 1e-6, "kept values are scaled by 1 / (1 - rate)");
            }
        }
        assertTrue(dropped > 120 && dropped < 280, "about half are dropped: " + dropped);
        assertAllClose(x, call(new Dropout(0.0), NdArray.of(x, 4, 100), true), 0);
    }

    @Test
    void dropoutRejectsRateOutsideZeroToOne() {
        assertInvalid("rate", "rate=1.5", () -> new Dropout(1.5));
        assertInvalid("rate", "rate=1.0", () -> new Dropout(1.0));
    }

    @Test
    void flattenKeepsTheBatchAxisAndRowMajorOrder() {
        float[] x = values(22, 2 * 3 * 2);
        Flatten flatten = new Flatten();
        NdArray y = call(flatten, NdArray.of(x, 2, 3, 2));
        assertEquals(Shape.of(2, 6), y.shape());
        assertAllClose(x, y, 0);
        assertEquals(Shape.of(-1, 6), flatten.computeOutputShape(Shape.of(-1, 3, 2)));
        assertEquals(Shape.of(1, 5), call(new Flatten(), NdArray.of(values(23, 5), 1, 5)).shape());
    }

    @Test
    void inputLayerPassesInputsThroughAndDeclaresTheBatchShape() {
        InputLayer input = new InputLayer(Shape.of(3));
        float[] x = values(24, 6);
        assertAllClose(x, call(input, NdArray.of(x, 2, 3)), 0);
        assertEquals(Shape.of(-1, 3), input.output().shape());
        assertEquals(java.util.Arrays.asList(null, 3L), input.getConfig().get("batch_shape"));
    }
}
