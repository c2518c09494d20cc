package io.sparkkeras.utils;

import java.util.List;

/**
 * One batch of samples: the inputs (one array per model input), the targets, and optional sample weights, all with
 * the same first-axis length.
 *
 * <p>The arrays may be views of memory the producer owns (Arrow vectors, a reused gather buffer): they are valid
 * until {@link #close()}, which returns that memory to the producer. The trainer copies a batch into backend tensors
 * and then closes it.
 *
 * <pre>{@code
 * try (Batch b = iterator.next()) {
 *     NdArray x = b.inputs().get(0);
 *     NdArray y = b.targets();
 * }
 * }</pre>
 */
public final class Batch implements AutoCloseable {
    private final List<NdArray> inputs;
    private final List<NdArray> targets;
    private final NdArray sampleWeights;
    private final AutoCloseable owner;
    private boolean closed;

    /**
     * @param inputs        one array per model input, non-empty
     * @param targets       the targets, or {@code null} (prediction)
     * @param sampleWeights per-sample weights of shape {@code (n,)}, or {@code null}
     * @param owner         closed with this batch to release the arrays' memory, or {@code null}
     */
    public Batch(List<NdArray> inputs, NdArray targets, NdArray sampleWeights, AutoCloseable owner) {
        this(inputs, targets == null ? List.of() : List.of(targets), sampleWeights, owner, true);
    }

    /**
     * A batch for a model with several outputs: one target array per output.
     *
     * @param targets one per model output; empty for prediction
     */
    public static Batch of(List<NdArray> inputs, List<NdArray> targets, NdArray sampleWeights, AutoCloseable owner) {
        return new Batch(inputs, targets, sampleWeights, owner, true);
    }

    private Batch(List<NdArray> inputs, List<NdArray> targets, NdArray sampleWeights, AutoCloseable owner,
            boolean checked) {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("A batch needs at least one input array");
        }
        int n = inputs.get(0).length();
        for (int i = 1; i < inputs.size(); i++) {
            checkLength("inputs[" + i + "]", inputs.get(i), n);
        }
        for (int i = 0; i < targets.size(); i++) {
            checkLength("targets[" + i + "]", targets.get(i), n);
        }
        if (sampleWeights != null) {
            checkLength("sample_weight", sampleWeights, n);
        }
        this.inputs = List.copyOf(inputs);
        this.targets = List.copyOf(targets);
        this.sampleWeights = sampleWeights;
        this.owner = owner;
    }

    /** A batch of one input and its targets, owning nothing. */
    public static Batch of(NdArray x, NdArray y) {
        return new Batch(List.of(x), y, null, null);
    }

    private static void checkLength(String what, NdArray a, int n) {
        if (a.length() != n) {
            throw new IllegalArgumentException("Batch arrays must have the same number of samples: inputs[0] has "
                    + n + ", " + what + " has " + a.length());
        }
    }

    public List<NdArray> inputs() {
        return inputs;
    }

    /** The targets of the first (or only) output, or {@code null}. */
    public NdArray targets() {
        return targets.isEmpty() ? null : targets.get(0);
    }

    /** The targets of every output; empty for prediction. */
    public List<NdArray> targetList() {
        return targets;
    }

    /** The sample weights, or {@code null}. */
    public NdArray sampleWeights() {
        return sampleWeights;
    }

    /** Number of samples. */
    public int size() {
        return inputs.get(0).length();
    }

    /** Releases the producer's memory; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (owner != null) {
            try {
                owner.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("Failed to release a batch's memory", e);
            }
        }
    }
}
