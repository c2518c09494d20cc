package io.sparkkeras.models;

import io.sparkkeras.callbacks.Callback;
import io.sparkkeras.utils.BatchDataset;
import io.sparkkeras.utils.NdArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keras's {@code fit} arguments, named as Keras names them.
 *
 * <pre>{@code
 * model.fit(x, y, new FitOptions().epochs(10).batchSize(128).validationSplit(0.1)
 *         .callbacks(EarlyStopping.builder().monitor("val_loss").patience(2).build()));
 * }</pre>
 */
public final class FitOptions {
    int batchSize = 32;
    int epochs = 1;
    int verbose = 1;
    List<Callback> callbacks = new ArrayList<>();
    double validationSplit;
    NdArray validationX;
    NdArray validationY;
    BatchDataset validationDataset;
    boolean shuffle = true;
    Map<Integer, Double> classWeight;
    NdArray sampleWeight;
    int initialEpoch;
    long stepsPerEpoch = -1;
    Long seed;
    int validationBatchSize;
    long validationSteps = -1;
    int validationFreq = 1;

    /** Samples per step. Defaults to {@code 32}. */
    public FitOptions batchSize(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("Received an invalid value for `batch_size`, expected a positive "
                    + "integer. Received: batch_size=" + batchSize);
        }
        this.batchSize = batchSize;
        return this;
    }

    /** Defaults to {@code 1}. */
    public FitOptions epochs(int epochs) {
        if (epochs < 0) {
            throw new IllegalArgumentException("Received an invalid value for `epochs`, expected an integer >= 0. "
                    + "Received: epochs=" + epochs);
        }
        this.epochs = epochs;
        return this;
    }

    /** 0 silent, 1 progress bar, 2 one line per epoch. Defaults to {@code 1}. */
    public FitOptions verbose(int verbose) {
        if (verbose < 0 || verbose > 2) {
            throw new IllegalArgumentException("Received an invalid value for `verbose`, expected 0, 1 or 2. "
                    + "Received: verbose=" + verbose);
        }
        this.verbose = verbose;
        return this;
    }

    /** Defaults to none (History and the progress bar are always added). */
    public FitOptions callbacks(Callback... callbacks) {
        this.callbacks = new ArrayList<>(List.of(callbacks));
        return this;
    }

    public FitOptions callbacks(List<Callback> callbacks) {
        this.callbacks = new ArrayList<>(callbacks);
        return this;
    }

    /** Fraction of the arrays (the last samples, before shuffling) held out for validation. Defaults to {@code 0}. */
    public FitOptions validationSplit(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("Received an invalid value for `validation_split`, expected a float "
                    + "in [0, 1). Received: validation_split=" + fraction);
        }
        this.validationSplit = fraction;
        return this;
    }

    /** Data to evaluate at the end of each epoch. Defaults to none. */
    public FitOptions validationData(NdArray x, NdArray y) {
        this.validationX = x;
        this.validationY = y;
        return this;
    }

    public FitOptions validationData(BatchDataset data) {
        this.validationDataset = data;
        return this;
    }

    /**
     * Samples per validation step when the validation data are arrays ({@code validationSplit} or {@code
     * validationData(x, y)}); a validation {@code BatchDataset} has its own batches. Defaults to {@code batchSize}.
     */
    public FitOptions validationBatchSize(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("Received an invalid value for `validation_batch_size`, expected a "
                    + "positive integer. Received: validation_batch_size=" + batchSize);
        }
        this.validationBatchSize = batchSize;
        return this;
    }

    /** Validation steps (batches) at each validation. Defaults to all of the validation data. */
    public FitOptions validationSteps(long steps) {
        if (steps <= 0) {
            throw new IllegalArgumentException("Received an invalid value for `validation_steps`, expected a "
                    + "positive integer. Received: validation_steps=" + steps);
        }
        this.validationSteps = steps;
        return this;
    }

    /**
     * Validate after every {@code n}-th epoch only (epochs n, 2n, ..., counted from 1), as Keras's {@code
     * validation_freq}: the other epochs' logs have no {@code val_} entries. Defaults to {@code 1}.
     */
    public FitOptions validationFreq(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("Received an invalid value for `validation_freq`, expected a "
                    + "positive integer. Received: validation_freq=" + n);
        }
        this.validationFreq = n;
        return this;
    }

    /** Shuffle the training arrays each epoch. Defaults to {@code true}. */
    public FitOptions shuffle(boolean shuffle) {
        this.shuffle = shuffle;
        return this;
    }

    /** Weight of each class id in the loss. Defaults to none. */
    public FitOptions classWeight(Map<Integer, Double> classWeight) {
        this.classWeight = Map.copyOf(classWeight);
        return this;
    }

    /** Weight of each training sample in the loss, shape {@code (n,)}. Defaults to none. */
    public FitOptions sampleWeight(NdArray sampleWeight) {
        this.sampleWeight = sampleWeight;
        return this;
    }

    /** Epoch to start from (to resume). Defaults to {@code 0}. */
    public FitOptions initialEpoch(int initialEpoch) {
        this.initialEpoch = initialEpoch;
        return this;
    }

    /** Steps per epoch; defaults to the whole data set. */
    public FitOptions stepsPerEpoch(long steps) {
        this.stepsPerEpoch = steps;
        return this;
    }

    /** Seed of the shuffle; defaults to the global seed. */
    public FitOptions seed(long seed) {
        this.seed = seed;
        return this;
    }

    public int batchSize() {
        return batchSize;
    }

    public int epochs() {
        return epochs;
    }

    public int verbose() {
        return verbose;
    }

    public boolean shuffleValue() {
        return shuffle;
    }

    public double validationSplitValue() {
        return validationSplit;
    }

    public NdArray validationXOrNull() {
        return validationX;
    }

    public NdArray validationYOrNull() {
        return validationY;
    }

    public BatchDataset validationDatasetOrNull() {
        return validationDataset;
    }

    public Map<Integer, Double> classWeightOrNull() {
        return classWeight;
    }

    public NdArray sampleWeightOrNull() {
        return sampleWeight;
    }

    public int initialEpochValue() {
        return initialEpoch;
    }

    public long stepsPerEpochValue() {
        return stepsPerEpoch;
    }

    /** The validation batch size: {@code validationBatchSize} if set, else {@code batchSize}. */
    public int validationBatchSizeValue() {
        return validationBatchSize > 0 ? validationBatchSize : batchSize;
    }

    /** Validation steps, or {@code -1} for all of the validation data. */
    public long validationStepsValue() {
        return validationSteps;
    }

    public int validationFreqValue() {
        return validationFreq;
    }

    public Long seedOrNull() {
        return seed;
    }

    public List<Callback> callbacksList() {
        return List.copyOf(callbacks);
    }
}
