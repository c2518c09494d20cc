package io.sparkkeras.metrics;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.backend.Scope;
import io.sparkkeras.ops.Ops;
import io.sparkkeras.utils.NdArray;

/** Feeds host arrays to a metric inside a step scope, as fit does. */
final class MetricTesting {
    private MetricTesting() {
    }

    static void update(Metric m, NdArray yTrue, NdArray yPred, NdArray sampleWeight) {
        try (Scope s = Backends.current().core().newScope()) {
            m.updateState(Ops.convertToTensor(yTrue), Ops.convertToTensor(yPred),
                    sampleWeight == null ? null : Ops.convertToTensor(sampleWeight));
        }
    }

    static void update(Metric m, float[] yTrue, float[] yPred) {
        update(m, NdArray.of(yTrue), NdArray.of(yPred), null);
    }

    static void update(Metric m, float[] yTrue, float[] yPred, float[] sampleWeight) {
        update(m, NdArray.of(yTrue), NdArray.of(yPred), NdArray.of(sampleWeight));
    }
}
