package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.sparkkeras.layers.LayerTesting.assertAllClose;
import static io.sparkkeras.layers.LayerTesting.assertConfigRoundTrip;
import static io.sparkkeras.layers.LayerTesting.assertGradientsMatch;
import static io.sparkkeras.layers.LayerTesting.assertInvalid;
import static io.sparkkeras.layers.LayerTesting.call;
import static io.sparkkeras.layers.LayerTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

@Tag("torch")
class Conv2DTransposeTest {

    @Test
    void configRoundTrip() {
        assertConfigRoundTrip(Conv2DTranspose.builder(3, new int[] {3, 2}).strides(2).padding("same")
                .outputPadding(1, 0).activation("relu").build(), Conv2DTranspose::fromConfig);
        assertConfigRoundTrip(new Conv2DTranspose(2, 3), Conv2DTranspose::fromConfig);
    }

    @Test
    void stride2Valid2x2KernelPaintsOneBlockPerPixel() {
        Conv2DTranspose deconv = Conv2DTranspose.builder(1, 2).strides(2).useBias(false).build();
        deconv.buildFor(Shape.of(-1, 2, 2, 1));
        deconv.setWeights(List.of(NdArray.of(new float[] {1, 2, 3, 4}, 2, 2, 1, 1)));

        NdArray y = call(deconv, NdArray.of(new float[] {1, 2, 3, 4}, 1, 2, 2, 1));

        assertEquals(Shape.of(1, 4, 4, 1), y.shape());
        assertAllClose(new float[] {
            1, 2, 2, 4,
            3, 4, 6, 8,
            3, 6, 4, 8,
            9, 12, 12, 16}, y, 1e-6);
        deconv.close();
    }

    @Test
    void overlappingWindowsAddUp() {
        // 1D along the columns: x = [1, 2], kernel [1, 1, 1], stride 1, valid -> [1, 3, 3, 2]
        Conv2DTranspose deconv = Conv2DTranspose.builder(1, new int[] {1, 3}).useBias(false).build();
        deconv.buildFor(Shape.of(-1, 1, 2, 1));
        deconv.setWeights(List.of(NdArray.of(new float[] {1, 1, 1}, 1, 3, 1, 1)));
        assertAllClose(new float[] {1, 3, 3, 2}, call(deconv, NdArray.of(new float[] {1, 2}, 1, 1, 2, 1)), 1e-6);
        deconv.close();
    }

    /**
     * A transposed convolution is the adjoint of the convolution with the same kernel:
     * {@code <conv_transpose(x), z> == <x, conv(z)>}, which pins where "same" padding puts each output.
     */
    private static void checkAdjointOfConv2D(int n, int h, int w, int c, int f, int k, int s, String padding, int d,
            Integer outputPadding) {
        Conv2DTranspose.Builder b = Conv2DTranspose.builder(f, k).strides(s).padding(padding).dilationRate(d)
                .useBias(false);
        if (outputPadding != null) {
            b.outputPadding(outputPadding);
        }
        Conv2DTranspose deconv = b.build();
        deconv.buildFor(Shape.of(-1, h, w, c));
        NdArray kernel = deconv.kernel().numpy();
        NdArray x = random(81, n, h, w, c);
        NdArray y = call(deconv, x);
        assertEquals(deconv.computeOutputShape(Shape.of(n, h, w, c)), y.shape());

        Conv2D conv = Conv2D.builder(c, k).strides(s).padding(padding).dilationRate(d).useBias(false).build();
        conv.buildFor(y.shape().with(0, -1).with(-1, f));
        conv.setWeights(List.of(kernel));
        NdArray z = random(82, y.shape().intDims());
        NdArray back = call(conv, z);
        assertEquals(x.shape(), back.shape(), "conv maps the output shape back to the input shape");

        double lhs = dot(y.toFloatArray(), z.toFloatArray());
        double rhs = dot(x.toFloatArray(), back.toFloatArray());
        assertEquals(lhs, rhs, 1e-4 * Math.max(1, Math.abs(lhs)), padding + " stride " + s + " kernel " + k);
        deconv.close();
        conv.close();
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    @Test
    void isTheAdjointOfConv2DForValidAndSamePadding() {
        checkAdjointOfConv2D(1, 3, 3, 2, 3, 3, 2, "valid", 1, null);
        checkAdjointOfConv2D(2, 3, 2, 1, 2, 2, 3, "valid", 1, null);
        checkAdjointOfConv2D(1, 3, 3, 1, 2, 3, 2, "same", 1, null);
        checkAdjointOfConv2D(1, 3, 3, 2, 1, 4, 2, "same", 1, null);
        checkAdjointOfConv2D(1, 4, 3, 1, 1, 3, 1, "same", 1, null);
    }

    @Test
    void dilationAndOutputPadding() {
        checkAdjointOfConv2D(1, 5, 5, 1, 2, 3, 1, "same", 2, null);
        checkAdjointOfConv2D(1, 3, 3, 1, 1, 3, 2, "same", 1, 0);
        checkAdjointOfConv2D(1, 3, 3, 1, 1, 3, 2, "valid", 1, 1);
    }

    @Test
    void outputShapesFollowKeras() {
        assertEquals(Shape.of(-1, 14, 14, 4),
                Conv2DTranspose.builder(4, 3).strides(2).padding("same").build().computeOutputShape(
                        Shape.of(-1, 7, 7, 2)));
        assertEquals(Shape.of(-1, 15, 15, 4),
                Conv2DTranspose.builder(4, 3).strides(2).build().computeOutputShape(Shape.of(-1, 7, 7, 2)));
        assertEquals(Shape.of(-1, 13, 14, 4),
                Conv2DTranspose.builder(4, 3).strides(2).padding("same").outputPadding(0, 1).build()
                        .computeOutputShape(Shape.of(-1, 7, 7, 2)));
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Conv2DTranspose deconv = Conv2DTranspose.builder(2, 2).strides(2).padding("same").activation("tanh").build();
        assertGradientsMatch(deconv, random(83, 1, 2, 3, 2), false, 8);
        deconv.close();
    }

    @Test
    void rejectsNonPositiveFilters() {
        assertInvalid("filters", "filters=0", () -> new Conv2DTranspose(0, 3));
    }

    @Test
    void rejectsOutputPaddingNotBelowStrides() {
        assertInvalid("output_padding", "output_padding=[2, 2]",
                () -> Conv2DTranspose.builder(1, 3).strides(2).outputPadding(2).build());
    }

    @Test
    void rejectsUnknownPadding() {
        assertInvalid("padding", "padding=causal", () -> Conv2DTranspose.builder(1, 3).padding("causal").build());
    }
}
