package io.sparkkeras.callbacks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Saves the model's weights during training. Keras's {@code ModelCheckpoint}: at the end of each epoch (or every
 * {@code save_freq} batches), optionally only when the monitored metric improved ({@code save_best_only}), to
 * {@code filepath} formatted Python-style with {@code epoch} (one-based) and the logs, e.g.
 * {@code "ckpt/{epoch:02d}-{val_loss:.2f}.keras"}.
 *
 * <p>As Keras: the whole model goes to a {@code .keras} file, or with {@code save_weights_only} the weights (and
 * optimizer state) to a {@code .weights.h5} file. With {@code save_weights_only}, a filepath ending in
 * {@code .weights.bin} writes Spark Keras's small {@link WeightsFile} instead (weights only, no HDF5).
 *
 * <pre>{@code
 * Callback best = ModelCheckpoint.builder(dir + "/best.keras").saveBestOnly(true).monitor("val_loss").build();
 * Callback each = ModelCheckpoint.builder(dir + "/ckpt-{epoch:02d}.weights.h5").saveWeightsOnly(true).build();
 * }</pre>
 */
public final class ModelCheckpoint extends MonitorCallback {
    /** The file name ending of Spark Keras's {@link WeightsFile}. */
    public static final String WEIGHTS_SUFFIX = ".weights.bin";

    private final String filepath;
    private final int verbose;
    private final boolean saveBestOnly;
    private final boolean saveWeightsOnly;
    private final int saveFreq;
    private int batchesSinceSave;
    private int lastBatchSeen = -1;
    private int currentEpoch;

    private ModelCheckpoint(Builder b) {
        super(b.monitor, b.mode, b.initialValueThreshold, 0);
        if (b.filepath == null) {
            throw new IllegalArgumentException("Received an invalid value for `filepath`, expected a path. Received: "
                    + "filepath=null");
        }
        if (b.saveWeightsOnly) {
            if (!b.filepath.endsWith(".weights.h5") && !b.filepath.endsWith(WEIGHTS_SUFFIX)) {
                throw new IllegalArgumentException("When using `save_weights_only=True` in `ModelCheckpoint`, the "
                        + "filepath provided must end in `.weights.h5` (Keras weights format) or `" + WEIGHTS_SUFFIX
                        + "` (Spark Keras weights format, see WeightsFile). Received: filepath=" + b.filepath);
            }
        } else if (!b.filepath.endsWith(".keras")) {
            throw new IllegalArgumentException("The filepath provided must end in `.keras` (Keras model format). "
                    + "Received: filepath=" + b.filepath);
        }
        if (b.saveFreq == 0 || b.saveFreq < -1) {
            throw new IllegalArgumentException("Unrecognized save_freq: " + b.saveFreq + ". Expected save_freq are "
                    + "'epoch' or positive integer values");
        }
        this.filepath = b.filepath;
        this.verbose = b.verbose;
        this.saveBestOnly = b.saveBestOnly;
        this.saveWeightsOnly = b.saveWeightsOnly;
        this.saveFreq = b.saveFreq;
    }

    /** @param filepath where to save; may hold {@code {epoch}} and log keys in Python format syntax */
    public static Builder builder(String filepath) {
        return new Builder(filepath);
    }

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
        currentEpoch = epoch;
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
        if (saveFreq < 0) {
            return;
        }
        int add = lastBatchSeen < 0 || batch <= lastBatchSeen ? batch + 1 : batch - lastBatchSeen;
        batchesSinceSave += add;
        lastBatchSeen = batch;
        if (batchesSinceSave >= saveFreq) {
            batchesSinceSave = 0;
            save(currentEpoch, batch, logs);
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (!monitorOpSet()) {
            setMonitorOp();
        }
        if (saveFreq < 0) {
            save(epoch, -1, logs);
        }
    }

    private void save(int epoch, int batch, Map<String, Double> logs) {
        Path path = Path.of(filePath(epoch, batch, logs));
        if (!shouldSave(epoch, logs, path)) {
            return;
        }
        if (Files.isDirectory(path)) {
            throw new UncheckedIOException(new IOException("Please specify a non-directory filepath for "
                    + "ModelCheckpoint. Filepath used is an existing directory: " + path));
        }
        if (path.toAbsolutePath().getParent() != null) {
            try {
                Files.createDirectories(path.toAbsolutePath().getParent());
            } catch (IOException e) {
                throw new UncheckedIOException("ModelCheckpoint cannot create the directory of " + path, e);
            }
        }
        if (!saveWeightsOnly) {
            model().save(path);
        } else if (path.toString().endsWith(".weights.h5")) {
            model().saveWeights(path);
        } else {
            try {
                WeightsFile.write(path, model().getWeights());
            } catch (IOException e) {
                throw new UncheckedIOException("ModelCheckpoint cannot write " + path, e);
            }
        }
        if (verbose > 0) {
            System.out.println("\nEpoch " + (epoch + 1) + ": finished saving model to " + path);
        }
    }

    private boolean shouldSave(int epoch, Map<String, Double> logs, Path path) {
        if (!saveBestOnly) {
            if (verbose > 0) {
                System.out.println("\nEpoch " + (epoch + 1) + ": saving model to " + path);
            }
            return true;
        }
        Double current = logs.get(monitor);
        if (current == null) {
            warn("Can save best model only with " + monitor + " available. Available metrics are: "
                    + available(logs));
            return true;
        }
        String bestStr = best == null ? "None" : String.format(Locale.ROOT, "%.5f", best);
        if (isImprovement(current, best)) {
            if (verbose > 0) {
                System.out.println(String.format(Locale.ROOT, "\nEpoch %d: %s improved from %s to %.5f, saving model "
                        + "to %s", epoch + 1, monitor, bestStr, current, path));
            }
            best = current;
            return true;
        }
        if (verbose > 0) {
            System.out.println("\nEpoch " + (epoch + 1) + ": " + monitor + " did not improve from " + bestStr);
        }
        return false;
    }

    /** The file path for a save: Keras's {@code filepath.format(epoch=epoch + 1, **logs)}. */
    String filePath(int epoch, int batch, Map<String, Double> logs) {
        Map<String, Object> values = new LinkedHashMap<>(logs);
        values.put("epoch", epoch + 1);
        if (batch >= 0 && !logs.containsKey("batch")) {
            values.put("batch", batch + 1);
        }
        return PythonFormat.format(filepath, values);
    }

    public boolean saveWeightsOnly() {
        return saveWeightsOnly;
    }

    /** The best monitored value so far (with {@code save_best_only}), or {@code null}. */
    public Double best() {
        return best;
    }

    /** Keras's ModelCheckpoint arguments. */
    public static final class Builder {
        private final String filepath;
        private String monitor = "val_loss";
        private int verbose;
        private boolean saveBestOnly;
        private boolean saveWeightsOnly;
        private String mode = "auto";
        private int saveFreq = -1;
        private Double initialValueThreshold;

        private Builder(String filepath) {
            this.filepath = filepath;
        }

        /** Defaults to {@code "val_loss"}. */
        public Builder monitor(String monitor) {
            this.monitor = monitor;
            return this;
        }

        /** Defaults to {@code 0}. */
        public Builder verbose(int verbose) {
            this.verbose = verbose;
            return this;
        }

        /** Save only when the monitored metric improves. Defaults to {@code false}. */
        public Builder saveBestOnly(boolean saveBestOnly) {
            this.saveBestOnly = saveBestOnly;
            return this;
        }

        /** Save weights ({@code .weights.h5} or {@code .weights.bin}), not a {@code .keras}. Defaults to {@code false}. */
        public Builder saveWeightsOnly(boolean saveWeightsOnly) {
            this.saveWeightsOnly = saveWeightsOnly;
            return this;
        }

        /** {@code "auto"}, {@code "min"} or {@code "max"}. Defaults to {@code "auto"}. */
        public Builder mode(String mode) {
            this.mode = mode;
            return this;
        }

        /** Save every {@code batches} training batches instead of every epoch. Defaults to {@code "epoch"}. */
        public Builder saveFreq(int batches) {
            this.saveFreq = batches;
            return this;
        }

        /** Keras's {@code save_freq="epoch"}: save at the end of each epoch (the default). */
        public Builder saveFreqEpoch() {
            this.saveFreq = -1;
            return this;
        }

        /** With {@code save_best_only}, the value to beat first. Defaults to {@code null}. */
        public Builder initialValueThreshold(double threshold) {
            this.initialValueThreshold = threshold;
            return this;
        }

        public ModelCheckpoint build() {
            return new ModelCheckpoint(this);
        }
    }
}
