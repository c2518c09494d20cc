package io.sparkkeras.parity;

import io.sparkkeras.layers.Activation;
import io.sparkkeras.layers.AveragePooling2D;
import io.sparkkeras.layers.BatchNormalization;
import io.sparkkeras.layers.Conv1D;
import io.sparkkeras.layers.Conv2D;
import io.sparkkeras.layers.Conv2DTranspose;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Dropout;
import io.sparkkeras.layers.Embedding;
import io.sparkkeras.layers.Flatten;
import io.sparkkeras.layers.GlobalAveragePooling1D;
import io.sparkkeras.layers.GlobalAveragePooling2D;
import io.sparkkeras.layers.GlobalMaxPooling2D;
import io.sparkkeras.layers.LayerNormalization;
import io.sparkkeras.layers.MaxPooling1D;
import io.sparkkeras.layers.MaxPooling2D;
import io.sparkkeras.layers.Permute;
import io.sparkkeras.layers.Rescaling;
import io.sparkkeras.layers.Reshape;
import io.sparkkeras.layers.UpSampling2D;
import io.sparkkeras.layers.ZeroPadding2D;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static io.sparkkeras.parity.Parity.CONV_RTOL;
import static io.sparkkeras.parity.Parity.RTOL;
import static io.sparkkeras.parity.Parity.TF;
import static io.sparkkeras.parity.Parity.TORCH;
import static io.sparkkeras.parity.Parity.assertLayerParity;
import static io.sparkkeras.parity.Parity.layerRun;
import static io.sparkkeras.parity.Parity.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every layer of keras-core: same weights and input give the same outputs and gradients on torch and tensorflow. */
@Tag("tensorflow")
@Tag("torch")
class LayerParityTest {
    private static final NdArray X2 = random(1, 4, 6);
    private static final NdArray IMG = random(2, 2, 7, 7, 3);
    private static final NdArray SEQ = random(3, 2, 9, 3);

    @Test
    void dense() {
        assertLayerParity("Dense relu", () -> new Dense(8, "relu"), X2, false, RTOL);
        assertLayerParity("Dense linear", () -> new Dense(5), random(4, 2, 3, 6), false, RTOL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"linear", "relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "gelu", "silu",
            "leaky_relu", "elu", "selu", "softplus", "softsign", "hard_sigmoid", "exponential", "mish"})
    void activations(String name) {
        // Inputs scaled to [-4, 4) so the saturating and piecewise parts are exercised.
        NdArray x = random(5, 3, 8);
        float[] v = x.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] *= 4;
        }
        assertLayerParity("Activation " + name, () -> new Activation(name), NdArray.of(v, 3, 8), false, RTOL);
    }

    @Test
    void convolutions() {
        assertLayerParity("Conv2D valid", () -> new Conv2D(4, 3), IMG, false, CONV_RTOL);
        assertLayerParity("Conv2D same stride 2", () -> Conv2D.builder(4, 3).strides(2).padding("same").build(), IMG,
                false, CONV_RTOL);
        assertLayerParity("Conv2D dilated", () -> Conv2D.builder(2, 3).dilationRate(2).build(), IMG, false,
                CONV_RTOL);
        assertLayerParity("Conv2D groups", () -> Conv2D.builder(4, 3).groups(2).padding("same").build(),
                random(6, 2, 5, 5, 6), false, CONV_RTOL);
        assertLayerParity("Conv1D same", () -> Conv1D.builder(4, 3).padding("same").activation("relu").build(), SEQ,
                false, CONV_RTOL);
        assertLayerParity("Conv1D valid stride 2", () -> Conv1D.builder(4, 2).strides(2).build(), SEQ, false,
                CONV_RTOL);
        assertLayerParity("Conv2DTranspose valid", () -> new Conv2DTranspose(3, 3), IMG, false, CONV_RTOL);
        assertLayerParity("Conv2DTranspose same stride 2",
                () -> Conv2DTranspose.builder(3, 3).strides(2).padding("same").build(), IMG, false, CONV_RTOL);
    }

    @Test
    void pooling() {
        assertLayerParity("MaxPooling2D", () -> new MaxPooling2D(2), IMG, false, RTOL);
        assertLayerParity("MaxPooling2D same 3/2", () -> new MaxPooling2D(new int[] {3, 3}, new int[] {2, 2}, "same"),
                IMG, false, RTOL);
        assertLayerParity("AveragePooling2D", () -> new AveragePooling2D(2), IMG, false, RTOL);
        assertLayerParity("AveragePooling2D same 3/2",
                () -> new AveragePooling2D(new int[] {3, 3}, new int[] {2, 2}, "same"), IMG, false, RTOL);
        assertLayerParity("MaxPooling1D", () -> new MaxPooling1D(2), SEQ, false, RTOL);
        assertLayerParity("GlobalAveragePooling1D", GlobalAveragePooling1D::new, SEQ, false, RTOL);
        assertLayerParity("GlobalAveragePooling2D", GlobalAveragePooling2D::new, IMG, false, RTOL);
        assertLayerParity("GlobalMaxPooling2D", GlobalMaxPooling2D::new, IMG, false, RTOL);
    }

    @Test
    void reshaping() {
        assertLayerParity("Flatten", Flatten::new, IMG, false, RTOL);
        assertLayerParity("Reshape", () -> new Reshape(21, 7), IMG, false, RTOL);
        assertLayerParity("Permute", () -> new Permute(3, 1, 2), IMG, false, RTOL);
        assertLayerParity("UpSampling2D", () -> new UpSampling2D(2), IMG, false, RTOL);
        assertLayerParity("ZeroPadding2D", () -> new ZeroPadding2D(1, 2), IMG, false, RTOL);
        assertLayerParity("Rescaling", () -> new Rescaling(1 / 255.0, -0.5), IMG, false, RTOL);
    }

    @Test
    void normalization() {
        assertLayerParity("BatchNormalization training", BatchNormalization::new, IMG, true, RTOL);
        assertLayerParity("BatchNormalization inference", BatchNormalization::new, IMG, false, RTOL);
        assertLayerParity("LayerNormalization", LayerNormalization::new, SEQ, false, RTOL);
    }

    @Test
    void embedding() {
        assertLayerParity("Embedding", () -> new Embedding(10, 4), Parity.randomInts(7, 10, 3, 5), false, RTOL);
    }

    @Test
    void dropoutInInferenceIsTheIdentity() {
        assertLayerParity("Dropout inference", () -> new Dropout(0.5), X2, false, RTOL);
    }

    /**
     * In training the masks come from each engine's own generator (torch's and TensorFlow's Philox), which Keras
     * does not make agree either: the two backends keep the same fraction of units and the same scale, not the same
     * units.
     */
    @Test
    void dropoutInTrainingKeepsTheRateAndScale() {
        NdArray ones = NdArray.of(new float[4000], 40, 100);
        float[] v = ones.toFloatArray();
        java.util.Arrays.fill(v, 1f);
        NdArray x = NdArray.of(v, 40, 100);
        for (String backend : List.of(TORCH, TF)) {
            NdArray out = layerRun(backend, () -> new Dropout(0.25), x, null, true, true).get(0);
            int kept = 0;
            for (float f : out.toFloatArray()) {
                if (f != 0) {
                    assertEquals(1 / 0.75, f, 1e-6, backend + ": kept units are scaled by 1/(1-rate)");
                    kept++;
                }
            }
            assertEquals(0.75, kept / 4000.0, 0.03, backend + ": kept fraction");
        }
    }
}
