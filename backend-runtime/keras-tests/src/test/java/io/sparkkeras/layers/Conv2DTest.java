package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.sparkkeras.layers.LayerTesting.assertAllClose;
import static io.sparkkeras.layers.LayerTesting.assertConfigRoundTrip;
import static io.sparkkeras.layers.LayerTesting.assertGradientsMatch;
import static io.sparkkeras.layers.LayerTesting.assertInputGradientMatches;
import static io.sparkkeras.layers.LayerTesting.assertInvalid;
import static io.sparkkeras.layers.LayerTesting.call;
import static io.sparkkeras.layers.LayerTesting.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

@Tag("torch")
class Conv2DTest {

    @Test
    void configRoundTrip() {
        assertConfigRoundTrip(Conv2D.builder(4, new int[] {3, 2}).strides(2, 1).padding("same").dilationRate(1)
                .activation("relu").useBias(false).build(), Conv2D::fromConfig);
        assertConfigRoundTrip(new Conv1D(2, 3, "tanh"), Conv1D::fromConfig);
    }

    /** Checks one configuration against the loop reference, batch of {@code n}. */
    private static void checkAgainstReference(int n, int h, int w, int c, int f, int k, int[] s, String padding,
            int[] d) {
        Conv2D conv = Conv2D.builder(f, k).strides(s).padding(padding).dilationRate(d).build();
        conv.buildFor(Shape.of(-1, h, w, c));
        float[] kernel = values(3, k * k * c * f);
        float[] bias = values(4, f);
        conv.setWeights(List.of(NdArray.of(kernel, k, k, c, f), NdArray.of(bias, f)));
        float[] x = values(5, n * h * w * c);

        NdArray y = call(conv, NdArray.of(x, n, h, w, c));

        int[] hw = new int[2];
        float[] expected = LayerTesting.conv2d(x, n, h, w, c, kernel, k, k, f, s, padding, d, hw);
        for (int i = 0; i < expected.length; i++) {
            expected[i] += bias[i % f];
        }
        assertEquals(Shape.of(n, hw[0], hw[1], f), y.shape());
        assertEquals(conv.computeOutputShape(Shape.of(n, h, w, c)), y.shape());
        assertAllClose(expected, y, 1e-5);
        conv.close();
    }

    @Test
    void validPaddingBatchOfOne() {
        checkAgainstReference(1, 4, 5, 2, 3, 3, new int[] {1, 1}, "valid", new int[] {1, 1});
    }

    @Test
    void samePaddingStride2OnOddInputsPadsTheEndLikeTensorFlow() {
        checkAgainstReference(2, 5, 5, 1, 2, 3, new int[] {2, 2}, "same", new int[] {1, 1});
        checkAgainstReference(1, 6, 7, 2, 2, 2, new int[] {2, 2}, "same", new int[] {1, 1});
    }

    @Test
    void dilation() {
        checkAgainstReference(1, 6, 6, 1, 2, 2, new int[] {1, 1}, "valid", new int[] {2, 2});
        checkAgainstReference(1, 5, 5, 1, 1, 3, new int[] {1, 1}, "same", new int[] {2, 2});
    }

    @Test
    void conv1dMatchesAHandComputedCorrelation() {
        Conv1D conv = Conv1D.builder(1, 2).useBias(false).build();
        conv.buildFor(Shape.of(-1, 4, 1));
        conv.setWeights(List.of(NdArray.of(new float[] {1, -1}, 2, 1, 1)));
        // y[i] = x[i] - x[i + 1]
        assertAllClose(new float[] {-1, -2, 3}, call(conv, NdArray.of(new float[] {1, 2, 4, 1}, 1, 4, 1)), 1e-6);
        conv.close();
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Conv2D conv = Conv2D.builder(2, 2).strides(2).padding("same").activation("tanh").build();
        assertGradientsMatch(conv, LayerTesting.random(6, 1, 3, 3, 2), false, 8);
        conv.close();
        Conv1D conv1 = Conv1D.builder(2, 3).padding("same").build();
        assertGradientsMatch(conv1, LayerTesting.random(7, 2, 5, 1), false, 6);
        conv1.close();
    }

    /**
     * The gradient a convolution passes to the layer below it (issue #2). On a 2-vCPU AMD EPYC VM libtorch's own
     * convolution (oneDNN) got it wrong for small batches, garbage and at times NaN, so a model trained there on wrong
     * numbers without an error; the torch backend now checks that once and composes the convolution itself where it
     * is wrong ({@code TorchConvolution}).
     */
    @Test
    void inputGradientsMatchFiniteDifferences() {
        try (Conv1D same = Conv1D.builder(4, 3).padding("same").activation("tanh").build();
                Conv1D strided = Conv1D.builder(3, 2).strides(2).dilationRate(1).build();
                Conv1D dilated = Conv1D.builder(2, 2).dilationRate(2).padding("same").build();
                Conv2D conv2 = Conv2D.builder(2, 2).strides(2).padding("same").build()) {
            assertInputGradientMatches(same, LayerTesting.random(8, 2, 9, 3), false);
            assertInputGradientMatches(strided, LayerTesting.random(9, 2, 7, 3), false);
            assertInputGradientMatches(dilated, LayerTesting.random(10, 1, 6, 2), false);
            assertInputGradientMatches(conv2, LayerTesting.random(11, 1, 3, 3, 2), false);
        }
    }

    @Test
    void rejectsNonPositiveFilters() {
        assertInvalid("filters", "filters=0", () -> new Conv2D(0, 3));
    }

    @Test
    void rejectsBadKernelSize() {
        assertInvalid("kernel_size", "kernel_size=[0, 0]", () -> new Conv2D(2, 0));
    }

    @Test
    void rejectsBadStrides() {
        assertInvalid("strides", "strides=[1, -1]", () -> Conv2D.builder(2, 3).strides(1, -1).build());
    }

    @Test
    void rejectsUnknownPadding() {
        assertInvalid("padding", "padding=full", () -> Conv2D.builder(2, 3).padding("full").build());
    }

    @Test
    void rejectsBadDilationRate() {
        assertInvalid("dilation_rate", "dilation_rate=[0, 0]", () -> Conv2D.builder(2, 3).dilationRate(0).build());
    }

    @Test
    void rejectsGroupsThatDoNotDivideFilters() {
        assertInvalid("groups", "groups=3", () -> Conv2D.builder(4, 3).groups(3).build());
    }
}
