package io.sparkkeras.callbacks;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.models.FitOptions;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Optimizer;
import io.sparkkeras.optimizers.SGD;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Tiny models and data for callback tests: {@code Sequential(Input(4), Dense(3))} on 64 samples. */
final class CallbackTesting {
    private CallbackTesting() {
    }

    static Sequential model(Optimizer optimizer) {
        RandomSeeds.setRandomSeed(3);
        Sequential model = new Sequential(new Input(4), new Dense(3));
        model.compile(optimizer, "mse", List.of());
        return model;
    }

    static Sequential model() {
        return model(new SGD(0.05));
    }

    /** 64 samples of a noiseless linear map, so the loss falls steadily. */
    static NdArray x() {
        Random r = new Random(1);
        float[][] x = new float[64][4];
        for (float[] row : x) {
            for (int j = 0; j < 4; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        return NdArray.of(x);
    }

    static NdArray y(NdArray x) {
        float[] xs = x.toFloatArray();
        float[][] y = new float[64][3];
        for (int i = 0; i < 64; i++) {
            for (int k = 0; k < 3; k++) {
                double s = 0;
                for (int j = 0; j < 4; j++) {
                    s += xs[i * 4 + j] * (j + 1) * (k - 1);
                }
                y[i][k] = (float) s;
            }
        }
        return NdArray.of(y);
    }

    static FitOptions options(int epochs, Callback... callbacks) {
        return new FitOptions().epochs(epochs).batchSize(16).verbose(0).shuffle(false).callbacks(callbacks);
    }

    /** Mutable epoch logs, as {@code fit} passes them. */
    static Map<String, Double> logs(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
        }
        return m;
    }

    /** Sets every weight of the model to {@code value}, to mark which epoch's weights are current. */
    static void markWeights(Sequential model, float value) {
        List<NdArray> ws = new ArrayList<>();
        for (NdArray w : model.getWeights()) {
            float[] f = new float[(int) w.size()];
            java.util.Arrays.fill(f, value);
            ws.add(NdArray.of(f, w.shape().intDims()));
        }
        model.setWeights(ws);
    }

    static float firstWeight(Sequential model) {
        return model.getWeights().get(0).toFloatArray()[0];
    }
}
