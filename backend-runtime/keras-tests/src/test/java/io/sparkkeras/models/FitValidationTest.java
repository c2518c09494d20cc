package io.sparkkeras.models;

import io.sparkkeras.layers.Activation;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.Losses;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.utils.NdArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input to fit fails before the first step with a message naming the problem and what was expected. */
@Tag("torch")
@Timeout(60)
class FitValidationTest {

    private static Sequential classifier() {
        Sequential model = new Sequential(new Input(4), new Dense(8, "relu"), new Dense(3));
        model.compile(new Adam(1e-3), "sparse_categorical_crossentropy", List.of("accuracy"));
        return model;
    }

    private static NdArray features(int n, int d) {
        float[] v = new float[n * d];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 7) / 7f;
        }
        return NdArray.of(v, n, d);
    }

    @Test
    void mismatchedLengthsNameBothCounts() {
        Sequential model = classifier();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.fit(features(10, 4), NdArray.of(new int[9]), new FitOptions().verbose(0)));
        assertTrue(e.getMessage().contains("10") && e.getMessage().contains("9"), e.getMessage());
    }

    @Test
    void wrongInputShapeNamesExpectedAndReceived() {
        Sequential model = classifier();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.fit(features(10, 5), NdArray.of(new int[10]), new FitOptions().verbose(0)));
        assertTrue(e.getMessage().contains("(4,)") && e.getMessage().contains("(10, 5)"), e.getMessage());
    }

    @Test
    void labelsOutOfRangeNameTheLabelAndRange() {
        Sequential model = classifier();
        int[] y = new int[10];
        y[6] = 3;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.fit(features(10, 4), NdArray.of(y), new FitOptions().verbose(0)));
        assertTrue(e.getMessage().contains("sample 6") && e.getMessage().contains("[0, 3)"), e.getMessage());
    }

    @Test
    void classIdsWithCategoricalCrossentropySayToUseTheSparseOne() {
        Sequential model = new Sequential(new Input(4), new Dense(3, "softmax"));
        model.compile(new Adam(1e-3), "categorical_crossentropy", List.of("accuracy"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.fit(features(6, 4), NdArray.of(new int[] {0, 1, 2, 0, 1, 2}),
                        new FitOptions().verbose(0)));
        assertTrue(e.getMessage().contains("y has samples of shape (), but model")
                && e.getMessage().contains("outputs samples of shape (3,)")
                && e.getMessage().contains("use sparse_categorical_crossentropy")
                && e.getMessage().contains("one-hot encode y to shape (n, 3)"), e.getMessage());
    }

    @Test
    void targetsThatWouldBroadcastAgainstTheOutputsAreRefused() {
        Sequential model = new Sequential(new Input(4), new Dense(2));
        model.compile(new Adam(1e-3), "mse", List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.fit(features(2, 4), NdArray.of(new float[] {1, 2}), new FitOptions().verbose(0)));
        assertTrue(e.getMessage().contains("y has samples of shape ()") && e.getMessage().contains("(2,)"),
                e.getMessage());
        // A trailing axis of 1 is what Keras squeezes or expands: (n,) targets for (n, 1) outputs train.
        Sequential one = new Sequential(new Input(4), new Dense(1));
        one.compile(new Adam(1e-3), "mse", List.of());
        one.fit(features(8, 4), NdArray.of(new float[8]), new FitOptions().verbose(0));
    }

    @Test
    void negativeLabelIsRejected() {
        Sequential model = classifier();
        int[] y = new int[10];
        y[2] = -1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.fit(features(10, 4), NdArray.of(y), new FitOptions().verbose(0)));
        assertTrue(e.getMessage().contains("-1") && e.getMessage().contains("sample 2"), e.getMessage());
    }

    @Test
    void nanInInputsNamesTheSample() {
        Sequential model = classifier();
        float[] v = features(10, 4).toFloatArray();
        v[4 * 7 + 2] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.fit(NdArray.of(v, 10, 4), NdArray.of(new int[10]), new FitOptions().verbose(0)));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("sample 7"), e.getMessage());
    }

    @Test
    void nonFiniteValuesNameTheirSampleAndElementShuffledOrNot() {
        for (boolean shuffle : new boolean[] {true, false}) {
            float[] v = features(1000, 4).toFloatArray();
            v[4 * 777 + 3] = Float.POSITIVE_INFINITY;
            v[4 * 555] = Float.NaN;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> classifier().fit(NdArray.of(v, 1000, 4), NdArray.of(new int[1000]),
                            new FitOptions().batchSize(32).shuffle(shuffle).verbose(0)));
            assertTrue(e.getMessage().startsWith("fit: x contains NaN at sample 555 (element 0)"), e.getMessage());
        }
    }

    @Test
    void nanInTheValidationSplitFailsBeforeTraining() {
        Sequential model = classifier();
        List<NdArray> before = model.getWeights();
        assertTrue(!before.isEmpty(), "built from its Input");
        float[] v = features(100, 4).toFloatArray();
        v[4 * 93 + 1] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.fit(NdArray.of(v, 100, 4), NdArray.of(new int[100]),
                        new FitOptions().batchSize(10).validationSplit(0.2).verbose(0)));
        assertTrue(e.getMessage().startsWith("fit: x contains NaN at sample 93 (element 1)"), e.getMessage());
        List<NdArray> after = model.getWeights();
        for (int i = 0; i < before.size(); i++) {
            assertTrue(java.util.Arrays.equals(before.get(i).toFloatArray(), after.get(i).toFloatArray()),
                    "weight " + i + " changed");
        }
    }

    @Test
    void everyNonFiniteValueIsFoundWhereverItIs() {
        // The scan reads chunks of 2048 floats: check both sides of chunk boundaries, the last value, and the
        // extremes that are finite.
        Sequential model = classifier();
        int n = 1100;
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            for (int at : new int[] {0, 1, 9, 2047, 2048, 4095, 4096, 4399}) {
                float[] v = features(n, 4).toFloatArray();
                v[at] = bad;
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> model.predict(NdArray.of(v, n, 4)), "value " + bad + " at " + at);
                assertTrue(e.getMessage().contains("sample " + at / 4), e.getMessage());
            }
        }
        float[] extremes = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -Float.MIN_NORMAL, 0f, -0f, 1e38f,
            -1e-45f};
        float[] v = new float[n * 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = extremes[i % extremes.length] / 1e30f;   // finite, and small enough for the model's matmul
        }
        model.predict(NdArray.of(v, n, 4));
    }

    @Test
    void aNonFiniteLastValueOfAnOddSizedArrayIsFound() {
        Sequential model = new Sequential(new Input(3), new Dense(2));
        float[] v = new float[3 * 3];
        v[8] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.predict(NdArray.of(v, 3, 3)));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("sample 2"), e.getMessage());
    }

    @Test
    void fitBeforeCompileSaysToCompile() {
        Sequential model = new Sequential(new Input(4), new Dense(3));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> model.fit(features(10, 4), NdArray.of(new int[10]), new FitOptions().verbose(0)));
        assertTrue(e.getMessage().contains("compile()"), e.getMessage());
    }

    @Test
    void unknownActivationListsKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dense(3, "rellu"));
        assertTrue(e.getMessage().contains("activation=rellu") && e.getMessage().contains("relu"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Activation("swishy"));
    }

    @Test
    void unknownLossListsKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Losses.get("crossentropy"));
        assertTrue(e.getMessage().contains("loss=crossentropy")
                && e.getMessage().contains("sparse_categorical_crossentropy"), e.getMessage());
    }

    @Test
    void unknownOptimizerListsKnownOnes() {
        Sequential model = new Sequential(new Input(4), new Dense(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.compile("adamm", "mse", List.of()));
        assertTrue(e.getMessage().contains("optimizer=adamm") && e.getMessage().contains("adam"), e.getMessage());
    }

    @Test
    void invalidFitOptionsNameTheArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FitOptions().batchSize(0));
        assertTrue(e.getMessage().contains("batch_size=0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new FitOptions().validationSplit(1.5));
        assertTrue(e.getMessage().contains("validation_split=1.5"), e.getMessage());
    }
}
