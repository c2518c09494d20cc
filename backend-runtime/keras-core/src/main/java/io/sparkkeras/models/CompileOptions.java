package io.sparkkeras.models;

import io.sparkkeras.losses.Loss;
import io.sparkkeras.losses.Losses;
import io.sparkkeras.optimizers.Optimizer;
import io.sparkkeras.optimizers.Optimizers;

import java.util.ArrayList;
import java.util.List;

/**
 * Keras's {@code compile} arguments. Strings resolve through the registries on the user's line, so an unknown id
 * fails there with the list of known ones.
 *
 * <pre>{@code
 * model.compile(new CompileOptions().optimizer(new Adam(1e-3)).loss("sparse_categorical_crossentropy")
 *         .metrics("accuracy").jitCompile(false));
 * }</pre>
 */
public final class CompileOptions {
    Optimizer optimizer;
    List<Loss> losses = new ArrayList<>();
    /** What the user passed for each loss: a string id or the {@link Loss}, written to {@code compile_config}. */
    List<Object> lossSpecs = new ArrayList<>();
    List<Double> lossWeights;
    List<Object> metrics = new ArrayList<>();
    boolean jitCompile;

    /** Defaults to {@code "rmsprop"} in Keras; here it must be given. */
    public CompileOptions optimizer(Optimizer optimizer) {
        this.optimizer = optimizer;
        return this;
    }

    public CompileOptions optimizer(String id) {
        return optimizer(Optimizers.get(id));
    }

    /** One loss for every output. */
    public CompileOptions loss(Loss loss) {
        this.losses = new ArrayList<>(List.of(loss));
        this.lossSpecs = new ArrayList<>(List.of(loss));
        return this;
    }

    /** A loss by Keras id; the id is what a saved model's {@code compile_config} records, as in Keras. */
    public CompileOptions loss(String id) {
        loss(Losses.get(id));
        this.lossSpecs = new ArrayList<>(List.of(id));
        return this;
    }

    /** One loss per output, in output order. */
    public CompileOptions losses(List<Loss> losses) {
        this.losses = new ArrayList<>(losses);
        this.lossSpecs = new ArrayList<>(losses);
        return this;
    }

    /** Per-output weights of the total loss. Defaults to all {@code 1.0}. */
    public CompileOptions lossWeights(List<Double> weights) {
        this.lossWeights = List.copyOf(weights);
        return this;
    }

    /** Metric ids ({@code "accuracy"}) or {@link io.sparkkeras.metrics.Metric}s. Defaults to none. */
    public CompileOptions metrics(Object... metrics) {
        this.metrics = new ArrayList<>(List.of(metrics));
        return this;
    }

    public CompileOptions metrics(List<?> metrics) {
        this.metrics = new ArrayList<>(metrics);
        return this;
    }

    /** Compile traced steps with XLA where the backend supports it. Defaults to {@code false}. */
    public CompileOptions jitCompile(boolean jit) {
        this.jitCompile = jit;
        return this;
    }
}
