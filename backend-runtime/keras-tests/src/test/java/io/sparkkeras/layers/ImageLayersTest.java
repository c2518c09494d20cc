package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.sparkkeras.layers.LayerTesting.assertAllClose;
import static io.sparkkeras.layers.LayerTesting.assertConfigRoundTrip;
import static io.sparkkeras.layers.LayerTesting.assertInvalid;
import static io.sparkkeras.layers.LayerTesting.call;
import static io.sparkkeras.layers.LayerTesting.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Rescaling, ZeroPadding2D and UpSampling2D. */
@Tag("torch")
class ImageLayersTest {

    @Test
    void configRoundTrip() {
        assertConfigRoundTrip(new Rescaling(1.0 / 255), Rescaling::fromConfig);
        assertConfigRoundTrip(new Rescaling(2, -1), Rescaling::fromConfig);
        assertConfigRoundTrip(new ZeroPadding2D(new int[][] {{1, 2}, {0, 3}}), ZeroPadding2D::fromConfig);
        assertConfigRoundTrip(new UpSampling2D(new int[] {2, 3}), UpSampling2D::fromConfig);
        assertEquals(List.of(List.of(1, 1), List.of(1, 1)), new ZeroPadding2D().getConfig().get("padding"));
        assertEquals(List.of(2, 2), new UpSampling2D().getConfig().get("size"));
    }

    @Test
    void rescalingScalesThenOffsetsAndCastsIntegers() {
        float[] x = values(71, 6);
        float[] expected = new float[6];
        for (int i = 0; i < 6; i++) {
            expected[i] = x[i] * 0.5f - 1;
        }
        assertAllClose(expected, call(new Rescaling(0.5, -1), NdArray.of(x, 2, 3)), 1e-6);
        NdArray y = call(new Rescaling(1.0 / 255), NdArray.of(new int[] {0, 51, 255}, 1, 3));
        assertEquals(io.sparkkeras.backend.DType.FLOAT32, y.dtype());
        assertAllClose(new float[] {0, 0.2f, 1}, y, 1e-6);
    }

    @Test
    void rescalingRejectsNonFiniteValues() {
        assertInvalid("scale", "scale=NaN", () -> new Rescaling(Double.NaN));
        assertInvalid("offset", "offset=Infinity", () -> new Rescaling(1, Double.POSITIVE_INFINITY));
    }

    @Test
    void zeroPaddingAddsZerosOnEachSide() {
        float[] x = {1, 2, 3, 4};   // (1, 2, 2, 1)
        ZeroPadding2D pad = new ZeroPadding2D(new int[][] {{1, 0}, {0, 2}});
        NdArray y = call(pad, NdArray.of(x, 1, 2, 2, 1));
        assertEquals(Shape.of(1, 3, 4, 1), y.shape());
        assertAllClose(new float[] {
            0, 0, 0, 0,
            1, 2, 0, 0,
            3, 4, 0, 0}, y, 0);
        assertEquals(Shape.of(-1, 5, 6, 3), new ZeroPadding2D().computeOutputShape(Shape.of(-1, 3, 4, 3)));
    }

    @Test
    void zeroPaddingReadsEveryKerasForm() {
        Map<String, Object> c = new ZeroPadding2D().getConfig();
        c.put("padding", 2);
        assertEquals(List.of(List.of(2, 2), List.of(2, 2)), ZeroPadding2D.fromConfig(c).getConfig().get("padding"));
        c.put("padding", List.of(1, 3));
        assertEquals(List.of(List.of(1, 1), List.of(3, 3)), ZeroPadding2D.fromConfig(c).getConfig().get("padding"));
    }

    @Test
    void zeroPaddingRejectsNegativePadding() {
        assertInvalid("padding", "padding=[[1, 1], [-1, 0]]", () -> new ZeroPadding2D(new int[][] {{1, 1}, {-1, 0}}));
    }

    @Test
    void upSamplingRepeatsRowsAndColumns() {
        float[] x = {1, 2, 3, 4};   // (1, 2, 2, 1)
        NdArray y = call(new UpSampling2D(new int[] {2, 3}), NdArray.of(x, 1, 2, 2, 1));
        assertEquals(Shape.of(1, 4, 6, 1), y.shape());
        assertAllClose(new float[] {
            1, 1, 1, 2, 2, 2,
            1, 1, 1, 2, 2, 2,
            3, 3, 3, 4, 4, 4,
            3, 3, 3, 4, 4, 4}, y, 0);
        assertEquals(Shape.of(-1, 6, 10, 3), new UpSampling2D().computeOutputShape(Shape.of(-1, 3, 5, 3)));
    }

    @Test
    void upSamplingRejectsBadSize() {
        assertInvalid("size", "size=[0, 2]", () -> new UpSampling2D(new int[] {0, 2}));
    }

    @Test
    void upSamplingRejectsOtherInterpolations() {
        assertInvalid("interpolation", "interpolation=bilinear",
                () -> new UpSampling2D(new int[] {2, 2}, "bilinear", null));
    }
}
