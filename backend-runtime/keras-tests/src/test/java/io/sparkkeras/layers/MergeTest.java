package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.sparkkeras.layers.LayerTesting.assertAllClose;
import static io.sparkkeras.layers.LayerTesting.assertConfigRoundTrip;
import static io.sparkkeras.layers.LayerTesting.assertInvalid;
import static io.sparkkeras.layers.LayerTesting.call;
import static io.sparkkeras.layers.LayerTesting.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Add, Multiply and Concatenate. */
@Tag("torch")
class MergeTest {

    @Test
    void configRoundTrip() {
        assertConfigRoundTrip(new Add(), Add::fromConfig);
        assertConfigRoundTrip(new Multiply(), Multiply::fromConfig);
        assertConfigRoundTrip(new Concatenate(1), Concatenate::fromConfig);
        assertEquals(-1, new Concatenate().getConfig().get("axis"));
    }

    @Test
    void addAndMultiplyCombineElementwise() {
        float[] a = values(61, 6);
        float[] b = values(62, 6);
        float[] c = values(63, 6);
        float[] sum = new float[6];
        float[] product = new float[6];
        for (int i = 0; i < 6; i++) {
            sum[i] = a[i] + b[i] + c[i];
            product[i] = a[i] * b[i] * c[i];
        }
        List<NdArray> xs = List.of(NdArray.of(a, 2, 3), NdArray.of(b, 2, 3), NdArray.of(c, 2, 3));
        assertAllClose(sum, call(new Add(), xs), 1e-6);
        assertAllClose(product, call(new Multiply(), xs), 1e-6);
    }

    @Test
    void broadcastsAndExpandsLowerRankInputs() {
        // (1, 2, 3) + (1, 3): the second gets an axis after the batch axis
        float[] a = {1, 2, 3, 4, 5, 6};
        float[] b = {10, 20, 30};
        NdArray y = call(new Add(), List.of(NdArray.of(a, 1, 2, 3), NdArray.of(b, 1, 3)));
        assertEquals(Shape.of(1, 2, 3), y.shape());
        assertAllClose(new float[] {11, 22, 33, 14, 25, 36}, y, 0);
        assertEquals(Shape.of(-1, 4, 3), new Add().computeOutputShape(List.of(Shape.of(-1, 4, 1), Shape.of(-1, 4, 3))));
    }

    @Test
    void concatenateJoinsAlongTheAxis() {
        float[] a = {1, 2, 3, 4};       // (2, 2)
        float[] b = {5, 6, 7, 8, 9, 0}; // (2, 3)
        NdArray y = call(new Concatenate(), List.of(NdArray.of(a, 2, 2), NdArray.of(b, 2, 3)));
        assertEquals(Shape.of(2, 5), y.shape());
        assertAllClose(new float[] {1, 2, 5, 6, 7, 3, 4, 8, 9, 0}, y, 0);

        NdArray z = call(new Concatenate(1), List.of(NdArray.of(a, 1, 2, 2), NdArray.of(b, 1, 3, 2)));
        assertEquals(Shape.of(1, 5, 2), z.shape());
        assertAllClose(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 0}, z, 0);
        assertEquals(Shape.of(-1, 5), new Concatenate().computeOutputShape(List.of(Shape.of(-1, 2), Shape.of(-1, 3))));
    }

    @Test
    void symbolicCallsInferTheOutputShape() {
        KerasTensor a = Input.of(4);
        KerasTensor b = Input.of(4);
        assertEquals(Shape.of(-1, 8), new Concatenate().apply(a, b).shape());
        assertEquals(Shape.of(-1, 4), new Multiply().apply(a, b).shape());
    }

    @Test
    void rejectsIncompatibleShapes() {
        assertInvalid("incompatible shapes", "(None, 3) and (None, 4)",
                () -> new Add().computeOutputShape(List.of(Shape.of(-1, -1, 3), Shape.of(-1, -1, 4))));
    }

    @Test
    void rejectsDifferentBatchSizes() {
        assertInvalid("different batch sizes", "[(2, 3), (4, 3)]",
                () -> call(new Add(), List.of(NdArray.of(values(1, 6), 2, 3), NdArray.of(values(2, 12), 4, 3))));
    }

    @Test
    void rejectsASingleInput() {
        assertInvalid("list of inputs", "input_shape=(None, 3)", () -> new Add().apply(Input.of(3)));
    }

    @Test
    void concatenateRejectsMismatchedShapes() {
        assertInvalid("matching shapes", "input_shape=[(None, 2, 3), (None, 4, 3)]",
                () -> new Concatenate().apply(Input.of(2, 3), Input.of(4, 3)));
    }

    @Test
    void concatenateRejectsAnAxisOutsideTheInputs() {
        assertInvalid("axis", "axis=3", () -> new Concatenate(3).apply(Input.of(2), Input.of(2)));
    }
}
