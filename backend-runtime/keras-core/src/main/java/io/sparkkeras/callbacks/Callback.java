package io.sparkkeras.callbacks;

import io.sparkkeras.models.Model;

import java.io.Serializable;
import java.util.Map;

/**
 * Hooks into {@code fit}, {@code evaluate} and {@code predict}, as Keras's {@code keras.callbacks.Callback}. Every
 * hook does nothing by default; {@code logs} maps metric names ({@code "loss"}, {@code "accuracy"},
 * {@code "val_loss"}...) to their current values.
 *
 * <pre>{@code
 * model.fit(x, y, new FitOptions().epochs(5).callbacks(new Callback() {
 *     public void onEpochEnd(int epoch, Map<String, Double> logs) { System.out.println(logs.get("loss")); }
 * }));
 * }</pre>
 *
 * <p>Callbacks are {@link Serializable} so that Spark can ship them to the workers of a distributed {@code fit}
 * (a fresh copy per worker, before training: the model and the params are set there, never shipped).
 */
public abstract class Callback implements Serializable {
    private static final long serialVersionUID = 1L;
    private transient Model model;
    private transient Map<String, Object> params = Map.of();

    /** The model being trained; set by {@code fit}. */
    public Model model() {
        return model;
    }

    public void setModel(Model model) {
        this.model = model;
    }

    /** {@code epochs}, {@code steps} and {@code verbose} of the current call. */
    public Map<String, Object> params() {
        return params == null ? Map.of() : params;
    }

    public void setParams(Map<String, Object> params) {
        this.params = params;
    }

    public void onTrainBegin(Map<String, Double> logs) {
    }

    public void onTrainEnd(Map<String, Double> logs) {
    }

    public void onEpochBegin(int epoch, Map<String, Double> logs) {
    }

    public void onEpochEnd(int epoch, Map<String, Double> logs) {
    }

    public void onTrainBatchBegin(int batch, Map<String, Double> logs) {
    }

    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
    }

    public void onTestBegin(Map<String, Double> logs) {
    }

    public void onTestEnd(Map<String, Double> logs) {
    }

    public void onTestBatchBegin(int batch, Map<String, Double> logs) {
    }

    public void onTestBatchEnd(int batch, Map<String, Double> logs) {
    }

    public void onPredictBegin(Map<String, Double> logs) {
    }

    public void onPredictEnd(Map<String, Double> logs) {
    }

    public void onPredictBatchBegin(int batch, Map<String, Double> logs) {
    }

    public void onPredictBatchEnd(int batch, Map<String, Double> logs) {
    }
}
