package io.sparkkeras.trainers;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Per-batch logs computed only if a callback reads them: reading metrics copies scalars from the engine, which the
 * progress bar needs a few times a second, not every step.
 */
final class LazyLogs extends AbstractMap<String, Double> {
    private final Supplier<Map<String, Double>> source;
    private Map<String, Double> values;

    LazyLogs(Supplier<Map<String, Double>> source) {
        this.source = source;
    }

    @Override
    public Set<Entry<String, Double>> entrySet() {
        if (values == null) {
            values = source.get();
        }
        return values.entrySet();
    }
}
