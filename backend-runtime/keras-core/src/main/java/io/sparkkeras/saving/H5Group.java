package io.sparkkeras.saving;

import io.sparkkeras.utils.NdArray;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HDF5 group held in memory: string attributes, sub-groups and datasets, each in insertion order. The weights
 * file of a {@code .keras} archive is read into and written from this tree ({@link H5Io}), so the layout logic in
 * {@link H5Weights} never sees the HDF5 library.
 */
public final class H5Group {
    private final Map<String, String> attributes = new LinkedHashMap<>();
    private final Map<String, H5Group> groups = new LinkedHashMap<>();
    private final Map<String, NdArray> datasets = new LinkedHashMap<>();

    /** The sub-group {@code name}, created if absent. */
    public H5Group group(String name) {
        return groups.computeIfAbsent(name, k -> new H5Group());
    }

    /** The sub-group at a {@code /}-separated path, or {@code null}. */
    public H5Group find(String path) {
        H5Group g = this;
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            g = g.groups.get(part);
            if (g == null) {
                return null;
            }
        }
        return g;
    }

    public Map<String, H5Group> groups() {
        return groups;
    }

    public Map<String, NdArray> datasets() {
        return datasets;
    }

    public Map<String, String> attributes() {
        return attributes;
    }

    public H5Group putDataset(String name, NdArray value) {
        datasets.put(name, value);
        return this;
    }

    public H5Group putAttribute(String name, String value) {
        attributes.put(name, value);
        return this;
    }
}
