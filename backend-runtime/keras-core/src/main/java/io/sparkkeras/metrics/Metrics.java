package io.sparkkeras.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Resolves metrics by Keras id. {@code "accuracy"} (or {@code "acc"}) is resolved by the model once it knows its
 * loss, as Keras does: sparse, categorical or binary.
 *
 * <pre>{@code
 * Metric m = Metrics.get("sparse_categorical_accuracy");
 * }</pre>
 */
public final class Metrics {
    private static final Map<String, Supplier<Metric>> BY_ID = new LinkedHashMap<>();

    static {
        BY_ID.put("sparse_categorical_accuracy", SparseCategoricalAccuracy::new);
        BY_ID.put("categorical_accuracy", CategoricalAccuracy::new);
        BY_ID.put("binary_accuracy", BinaryAccuracy::new);
        BY_ID.put("mean", Mean::new);
        BY_ID.put("sparse_top_k_categorical_accuracy", SparseTopKCategoricalAccuracy::new);
        BY_ID.put("top_k_categorical_accuracy", TopKCategoricalAccuracy::new);
        BY_ID.put("precision", Precision::new);
        BY_ID.put("recall", Recall::new);
        BY_ID.put("auc", AUC::new);
    }

    private Metrics() {
    }

    /** Registers a metric id (used by metric classes added in other packages). */
    public static void register(String id, Supplier<Metric> factory) {
        BY_ID.put(id, factory);
    }

    /**
     * The metric with Keras id {@code id}.
     *
     * @throws IllegalArgumentException listing the known ids
     */
    public static Metric get(String id) {
        Supplier<Metric> s = BY_ID.get(id);
        if (s == null) {
            throw new IllegalArgumentException("Received an invalid value for `metrics`, expected \"accuracy\" or one "
                    + "of " + BY_ID.keySet() + ". Received: metric=" + id);
        }
        return s.get();
    }

    /**
     * Keras's resolution of {@code "accuracy"}: sparse when labels are class ids, binary when predictions have one
     * column, categorical otherwise.
     */
    public static Metric accuracy(String lossName, long predictionColumns, boolean sparseLabels) {
        Metric m;
        if (lossName != null && lossName.contains("sparse") || sparseLabels && predictionColumns > 1) {
            m = new SparseCategoricalAccuracy("accuracy");
        } else if (lossName != null && lossName.contains("binary") || predictionColumns == 1) {
            m = new BinaryAccuracy("accuracy", 0.5);
        } else {
            m = new CategoricalAccuracy("accuracy");
        }
        return m;
    }
}
