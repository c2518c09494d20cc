package io.sparkkeras.metrics;

import io.sparkkeras.utils.Configs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The arguments Precision and Recall share ({@code thresholds}, {@code top_k}, {@code class_id}, {@code name}) and
 * Keras's {@code parse_init_thresholds}: no thresholds means 0.5, or {@code NEG_INF = -1e10} with {@code top_k}.
 */
@SuppressWarnings("unchecked")
public abstract class ThresholdArgs<B extends ThresholdArgs<B>> {
    /** As given: {@code null}, a Double, or a List of Double (Keras's {@code init_thresholds}). */
    Object thresholds;
    Integer topK;
    Integer classId;
    String name;

    ThresholdArgs(String name) {
        this.name = name;
    }

    /** One threshold in {@code [0, 1]}, or several. Defaults to {@code 0.5} (none with {@code top_k}). */
    public B thresholds(double... thresholds) {
        if (thresholds.length == 1) {
            this.thresholds = thresholds[0];
        } else {
            List<Double> l = new ArrayList<>();
            for (double t : thresholds) {
                l.add(t);
            }
            this.thresholds = l;
        }
        return (B) this;
    }

    /** Count only the {@code top_k} highest predictions of each row as positive. Defaults to {@code null}. */
    public B topK(int topK) {
        this.topK = topK;
        return (B) this;
    }

    /** Only this class (last axis index). Defaults to {@code null}. */
    public B classId(int classId) {
        this.classId = classId;
        return (B) this;
    }

    public B name(String name) {
        this.name = name;
        return (B) this;
    }

    B config(Map<String, Object> c) {
        Object t = c.get("thresholds");
        if (t instanceof Number n) {
            thresholds = n.doubleValue();
        } else if (t instanceof List<?> l) {
            List<Double> d = new ArrayList<>();
            for (Object o : l) {
                d.add(((Number) o).doubleValue());
            }
            thresholds = d;
        }
        Long k = Configs.getLongOrNull(c, "top_k");
        topK = k == null ? null : k.intValue();
        Long id = Configs.getLongOrNull(c, "class_id");
        classId = id == null ? null : id.intValue();
        if (c.get("name") != null) {
            name = c.get("name").toString();
        }
        return (B) this;
    }

    /** The thresholds to evaluate, validated. */
    float[] parsed() {
        List<Double> values;
        if (thresholds == null) {
            values = List.of(topK == null ? 0.5 : TopK.NEG_INF);
        } else if (thresholds instanceof Double d) {
            values = List.of(d);
        } else {
            values = (List<Double>) thresholds;
        }
        for (double v : values) {
            if (thresholds != null && !(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("Threshold values must be in [0, 1]. Received: thresholds="
                        + thresholds);
            }
        }
        if (topK != null && topK <= 0) {
            throw new IllegalArgumentException("Received an invalid value for `top_k`, expected a positive integer. "
                    + "Received: top_k=" + topK);
        }
        if (classId != null && classId < 0) {
            throw new IllegalArgumentException("Received an invalid value for `class_id`, expected an integer >= 0. "
                    + "Received: class_id=" + classId);
        }
        return ConfusionMatrices.toFloats(values);
    }
}
