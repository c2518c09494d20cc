package io.sparkkeras.spark;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.callbacks.CSVLogger;
import io.sparkkeras.callbacks.Callback;
import io.sparkkeras.callbacks.History;
import io.sparkkeras.callbacks.ModelCheckpoint;
import io.sparkkeras.callbacks.ProgbarLogger;
import io.sparkkeras.data.BadRowPolicy;
import io.sparkkeras.models.Model;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import scala.reflect.ClassTag$;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trains a Keras model data-parallel on a DataFrame: Spark ML's {@link Estimator} for keras-core models
 * (DESIGN.md §4). {@link #fit} runs one barrier stage of {@code numWorkers} tasks; each reads its partition through
 * Arrow, starts from rank 0's weights, averages gradients with a ring allreduce every step and metrics every epoch,
 * and rank 0 returns the trained model, wrapped in a {@link KerasModel} with the {@link KerasTrainingSummary}.
 *
 * <pre>{@code
 * KerasEstimator estimator = new KerasEstimator()
 *         .setModel(model)                 // a compiled Sequential
 *         .setFeaturesCol("features")      // array<float>, array<double>, ml Vector (or setFeaturesCols(...))
 *         .setLabelCol("label")
 *         .setNumWorkers(2).setEpochs(10).setBatchSize(128);
 * KerasModel fitted = estimator.fit(train);
 * Dataset<Row> scored = fitted.transform(test);
 * }</pre>
 *
 * <p>{@code batchSize} is per worker: {@code numWorkers} workers with batch {@code B} take the same steps as one
 * worker with batch {@code numWorkers × B}. Compile settings ({@code optimizer}, {@code learningRate},
 * {@code loss}, {@code metrics}) override the model's own when set.
 */
public final class KerasEstimator extends Estimator<KerasModel> implements MLWritable {
    private static final long serialVersionUID = 1L;
    private static final Pattern LOCAL_MASTER = Pattern.compile("local\\[(\\d+|\\*)(,\\d+)?]");
    private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,.*]");

    private final String uid;
    private final Param<String> modelPath;
    private final Param<String> featuresCol;
    private final StringArrayParam featuresCols;
    private final Param<String> labelCol;
    private final Param<String> weightCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final Param<String> rawPredictionCol;
    private final DoubleArrayParam thresholds;
    private final Param<String> handleInvalid;
    private final IntParam epochs;
    private final IntParam batchSize;
    private final IntParam numWorkers;
    private final Param<String> backend;
    private final DoubleParam validationFraction;
    private final Param<String> validationIndicatorCol;
    private final LongParam seed;
    private final BooleanParam shuffle;
    private final Param<String> checkpointDir;
    private final LongParam timeout;
    private final IntParam maxRetries;
    private final Param<String> optimizer;
    private final DoubleParam learningRate;
    private final Param<String> loss;
    private final StringArrayParam metrics;
    private final IntParam verbose;

    /** The model to train, as bytes (not a Param: it is no JSON value); set by {@link #setModel}. */
    private byte[] modelBytes;
    private ModelInfo modelInfo;
    /** Test-only fault injection (see {@link TrainSpec#fault}). */
    private String fault;
    private int faultRank = -1;
    /** Test-only destination of the epoch lines (see {@link #progressTo}); not copied, not saved. */
    private transient java.util.function.Consumer<String> progressSink;
    /** Run by every worker after the epoch's logs are averaged; see {@link #setCallbacks}. Not a Param (no JSON). */
    private List<Callback> callbacks = List.of();

    public KerasEstimator() {
        this(Identifiable$.MODULE$.randomUID("kerasEstimator"));
    }

    public KerasEstimator(String uid) {
        this.uid = uid;
        modelPath = new Param<>(this, "modelPath", "path of a saved model to train, used when no model was set "
                + "with setModel (any Hadoop file system)");
        featuresCol = new Param<>(this, "featuresCol", "features column: array<float>, array<double> or ml Vector");
        featuresCols = new StringArrayParam(this, "featuresCols", "several numeric feature columns; when not "
                + "empty, used instead of featuresCol");
        labelCol = new Param<>(this, "labelCol", "label column (numeric)");
        weightCol = new Param<>(this, "weightCol", "sample weight column (numeric, finite, >= 0), Keras's "
                + "sample_weight: each row's loss and metrics count this much; empty for all 1.0");
        predictionCol = new Param<>(this, "predictionCol", "prediction column name of the fitted model");
        probabilityCol = new Param<>(this, "probabilityCol", "probability column name of the fitted model");
        rawPredictionCol = new Param<>(this, "rawPredictionCol", "raw prediction (the model's outputs, before "
                + "softmax or sigmoid) column name of the fitted model");
        thresholds = new DoubleArrayParam(this, "thresholds", "the fitted model's thresholds, per class, as Spark "
                + "ML's classifiers: the predicted class has the largest probability / threshold; unset for the most "
                + "probable class");
        handleInvalid = new Param<>(this, "handleInvalid", "rows with null, NaN, infinite or wrongly sized features, "
                + "or a bad label or weight: error (fail naming column and row), skip (train without them; the "
                + "fitted model skips such rows in transform too) or keep (train without them; the fitted model "
                + "keeps such rows in transform, with null outputs), as Spark ML's VectorAssembler",
                ParamValidators.inArray(new String[] {"error", "skip", "keep"}));
        epochs = new IntParam(this, "epochs", "number of epochs (>= 1)", ParamValidators.gtEq(1));
        batchSize = new IntParam(this, "batchSize", "rows per step on each worker (>= 1)", ParamValidators.gtEq(1));
        numWorkers = new IntParam(this, "numWorkers", "number of barrier tasks training together (>= 1)",
                ParamValidators.gtEq(1));
        backend = new Param<>(this, "backend", "Keras backend on the workers: torch or tensorflow"
                + " (default: the driver's, as KERAS_BACKEND or ~/.keras/keras.json configure it)");
        validationFraction = new DoubleParam(this, "validationFraction", "fraction of each worker's rows held out "
                + "for validation, in [0, 1)", ParamValidators.inRange(0.0, 1.0, true, false));
        validationIndicatorCol = new Param<>(this, "validationIndicatorCol", "boolean column telling each row's "
                + "use, as Spark ML's GBTClassifier: false for training, true for validation (val_* metrics); empty "
                + "for none. Instead of validationFraction");
        seed = new LongParam(this, "seed", "random seed (shuffling)");
        shuffle = new BooleanParam(this, "shuffle", "whether each worker shuffles its rows every epoch");
        checkpointDir = new Param<>(this, "checkpointDir", "directory for a checkpoint per epoch, and to resume "
                + "from; empty for none");
        timeout = new LongParam(this, "timeout", "seconds any wait between workers may last before fit fails "
                + "(>= 1)", ParamValidators.gtEq(1));
        maxRetries = new IntParam(this, "maxRetries", "times fit reruns its training stage after it fails (a lost "
                + "executor, a silent worker), resuming from the last checkpoint in checkpointDir (>= 0)",
                ParamValidators.gtEq(0));
        optimizer = new Param<>(this, "optimizer", "Keras optimizer id (adam, sgd, ...) overriding the model's; "
                + "empty keeps the model's");
        learningRate = new DoubleParam(this, "learningRate", "learning rate overriding the optimizer's (> 0); 0 "
                + "keeps it", ParamValidators.gtEq(0.0));
        loss = new Param<>(this, "loss", "Keras loss id overriding the model's; empty keeps the model's");
        metrics = new StringArrayParam(this, "metrics", "Keras metric ids overriding the model's when set");
        verbose = new IntParam(this, "verbose", "0 silent, 1 one line per epoch from rank 0",
                ParamValidators.inRange(0, 2));
        // All defaults, in one place.
        setDefault(modelPath, "");
        setDefault(featuresCol, "features");
        setDefault(featuresCols, new String[0]);
        setDefault(labelCol, "label");
        setDefault(handleInvalid, "error");
        setDefault(weightCol, "");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        setDefault(rawPredictionCol, "rawPrediction");
        setDefault(epochs, 10);
        setDefault(batchSize, 128);
        setDefault(numWorkers, 1);
        // As Keras 3: the backend comes from configuration (or the calling thread's choice), not a fixed name.
        setDefault(backend, KerasModel.configuredBackend());
        setDefault(validationFraction, 0.0);
        setDefault(validationIndicatorCol, "");
        setDefault(seed, 42L);
        setDefault(shuffle, true);
        setDefault(checkpointDir, "");
        setDefault(timeout, 60L);
        setDefault(maxRetries, 0);
        setDefault(optimizer, "");
        setDefault(learningRate, 0.0);
        setDefault(loss, "");
        setDefault(metrics, new String[0]);
        setDefault(verbose, 1);
    }

    @Override
    public String uid() {
        return uid;
    }

    // ---- params (Spark finds them through these public no-arg methods)

    public Param<String> modelPath() { return modelPath; }
    public Param<String> featuresCol() { return featuresCol; }
    public StringArrayParam featuresCols() { return featuresCols; }
    public Param<String> labelCol() { return labelCol; }
    public Param<String> weightCol() { return weightCol; }
    public Param<String> predictionCol() { return predictionCol; }
    public Param<String> probabilityCol() { return probabilityCol; }
    public Param<String> rawPredictionCol() { return rawPredictionCol; }
    public DoubleArrayParam thresholds() { return thresholds; }
    public Param<String> handleInvalid() { return handleInvalid; }
    public IntParam epochs() { return epochs; }
    public IntParam batchSize() { return batchSize; }
    public IntParam numWorkers() { return numWorkers; }
    public Param<String> backend() { return backend; }
    public DoubleParam validationFraction() { return validationFraction; }
    public Param<String> validationIndicatorCol() { return validationIndicatorCol; }
    public LongParam seed() { return seed; }
    public BooleanParam shuffle() { return shuffle; }
    public Param<String> checkpointDir() { return checkpointDir; }
    public LongParam timeout() { return timeout; }
    public IntParam maxRetries() { return maxRetries; }
    public Param<String> optimizer() { return optimizer; }
    public DoubleParam learningRate() { return learningRate; }
    public Param<String> loss() { return loss; }
    public StringArrayParam metrics() { return metrics; }
    public IntParam verbose() { return verbose; }

    // ---- typed getters and setters

    /**
     * The model to train: a compiled Sequential or functional model with a declared {@code Input}. It is copied now
     * (architecture, compile settings and weights), so later changes to {@code model} do not affect this estimator.
     */
    public KerasEstimator setModel(Model model) {
        this.modelInfo = ModelInfo.of(model);
        this.modelBytes = ModelBytes.toBytes(model);
        return this;
    }

    /** A new model from the estimator's model bytes (or {@code modelPath}), owned by the caller; null if none. */
    public Model getModel() {
        return modelBytes == null ? null : ModelBytes.fromBytes(modelBytes);
    }

    /**
     * Keras callbacks for every worker's {@code fit}, as Horovod's {@code KerasEstimator} takes them: each worker runs
     * its own copy, after that epoch's logs were averaged over all workers, so callbacks that decide from the logs
     * ({@code EarlyStopping}, {@code ReduceLROnPlateau}, {@code TerminateOnNaN}) decide the same on every worker and
     * the workers stay in step. Callbacks are shipped by Java serialization (a {@code LambdaCallback}'s hooks are
     * serializable lambdas); they are not saved with the estimator.
     *
     * <pre>{@code
     * estimator.setValidationFraction(0.1)
     *         .setCallbacks(EarlyStopping.builder().monitor("val_loss").patience(2).restoreBestWeights(true).build());
     * }</pre>
     *
     * @throws IllegalArgumentException for a callback that would act on each worker's host rather than on the driver
     *         (progress bar, History, ModelCheckpoint, CSVLogger: use {@code verbose}, {@code KerasModel.history()},
     *         {@code checkpointDir}), or one that cannot be serialized
     */
    public KerasEstimator setCallbacks(Callback... callbacks) {
        for (Callback c : callbacks) {
            String instead = c instanceof ProgbarLogger ? "progress is shown on the driver (setVerbose)"
                    : c instanceof History ? "the driver gets the History of all workers: KerasModel.history()"
                    : c instanceof ModelCheckpoint ? "rank 0 writes a .keras file per epoch under checkpointDir (any "
                    + "Hadoop file system), and fit resumes from it"
                    : c instanceof CSVLogger ? "KerasModel.history() holds every epoch's logs, averaged over the "
                    + "workers"
                    : null;
            if (instead != null) {
                throw new IllegalArgumentException("Received a " + c.getClass().getSimpleName() + " in callbacks, "
                        + "expected callbacks that act on the logs: each worker would run its own copy on its own "
                        + "host. Instead, " + instead + ".");
            }
            try (ObjectOutputStream out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
                out.writeObject(c);
            } catch (IOException e) {
                throw new IllegalArgumentException("Received a callback (" + c.getClass().getName() + ") that cannot "
                        + "be shipped to the workers: " + e + ". Callbacks are sent by Java serialization; a lambda "
                        + "must capture only serializable values.", e);
            }
        }
        this.callbacks = List.of(callbacks);
        return this;
    }

    public List<Callback> getCallbacks() {
        return callbacks;
    }

    public KerasEstimator setModelPath(String v) { set(modelPath, v); return this; }
    public String getModelPath() { return $(modelPath); }
    public KerasEstimator setFeaturesCol(String v) { set(featuresCol, v); return this; }
    public String getFeaturesCol() { return $(featuresCol); }
    public KerasEstimator setFeaturesCols(String... v) { set(featuresCols, v); return this; }
    public String[] getFeaturesCols() { return $(featuresCols); }
    public KerasEstimator setLabelCol(String v) { set(labelCol, v); return this; }
    public String getLabelCol() { return $(labelCol); }
    /** Rows' sample weights, as Keras's {@code sample_weight} and Spark ML's {@code weightCol}. Default "" (none). */
    public KerasEstimator setWeightCol(String v) { set(weightCol, v); return this; }
    public String getWeightCol() { return $(weightCol); }
    public KerasEstimator setPredictionCol(String v) { set(predictionCol, v); return this; }
    public String getPredictionCol() { return $(predictionCol); }
    public KerasEstimator setProbabilityCol(String v) { set(probabilityCol, v); return this; }
    public String getProbabilityCol() { return $(probabilityCol); }
    public KerasEstimator setRawPredictionCol(String v) { set(rawPredictionCol, v); return this; }
    /** Passed to the fitted model ({@link KerasModel#setThresholds}). Unset by default. */
    public KerasEstimator setThresholds(double... v) { set(thresholds, v); return this; }
    public double[] getThresholds() { return $(thresholds); }
    /**
     * "error" (the default), "skip" or "keep": see {@link KerasModel#setHandleInvalid}; the fitted model gets it too.
     * Training cannot use a bad row, so "skip" and "keep" both train without them; they differ in the fitted
     * model's transform.
     */
    public KerasEstimator setHandleInvalid(String v) { set(handleInvalid, v); return this; }
    public String getHandleInvalid() { return $(handleInvalid); }
    public String getRawPredictionCol() { return $(rawPredictionCol); }
    /** Epochs. Default is 10. */
    public KerasEstimator setEpochs(int v) { set(epochs, v); return this; }
    public int getEpochs() { return (Integer) $(epochs); }
    /** Rows per step on each worker. Default is 128. */
    public KerasEstimator setBatchSize(int v) { set(batchSize, v); return this; }
    public int getBatchSize() { return (Integer) $(batchSize); }
    /** Barrier tasks training together. Default is 1. */
    public KerasEstimator setNumWorkers(int v) { set(numWorkers, v); return this; }
    public int getNumWorkers() { return (Integer) $(numWorkers); }
    /** Keras backend on the workers. Default: the driver's ({@link io.sparkkeras.backend.Backends#currentName()}). */
    public KerasEstimator setBackend(String v) { Backends.canonicalName(v); set(backend, v); return this; }
    public String getBackend() { return $(backend); }
    /** Fraction of each worker's rows held out for validation ({@code val_*} metrics). Default is 0. */
    public KerasEstimator setValidationFraction(double v) { set(validationFraction, v); return this; }
    public double getValidationFraction() { return (Double) $(validationFraction); }
    /**
     * A boolean column choosing the validation rows (true) and the training rows (false), as Spark ML's
     * {@code GBTClassifier.setValidationIndicatorCol}: for a split of your own (by time, by user) rather than
     * {@code validationFraction}'s last rows of each worker. Default "" (none).
     * <pre>{@code
     * df = df.withColumn("isVal", col("date").geq("2026-10-01"));
     * new KerasEstimator().setModel(model).setValidationIndicatorCol("isVal").fit(df);
     * }</pre>
     */
    public KerasEstimator setValidationIndicatorCol(String v) { set(validationIndicatorCol, v); return this; }
    public String getValidationIndicatorCol() { return $(validationIndicatorCol); }
    /** Default is 42. */
    public KerasEstimator setSeed(long v) { set(seed, v); return this; }
    public long getSeed() { return (Long) $(seed); }
    /** Default is true. */
    public KerasEstimator setShuffle(boolean v) { set(shuffle, v); return this; }
    public boolean getShuffle() { return (Boolean) $(shuffle); }
    /** Default is "" (no checkpoints). */
    public KerasEstimator setCheckpointDir(String v) { set(checkpointDir, v); return this; }
    public String getCheckpointDir() { return $(checkpointDir); }
    /** Seconds a wait between workers may last. Default is 60. */
    public KerasEstimator setTimeout(long seconds) { set(timeout, seconds); return this; }
    public long getTimeout() { return (Long) $(timeout); }
    /**
     * Times {@code fit} reruns its training stage after a failure, resuming from the last checkpoint when
     * {@code checkpointDir} is set (from the start otherwise). Spark itself never reruns a failed barrier stage
     * that returns results, so this is the retry. Errors in the data or the settings are not retried. Default 0.
     *
     * <pre>{@code
     * new KerasEstimator().setModel(model).setCheckpointDir("hdfs:///ckpt/run1").setMaxRetries(2).fit(train);
     * }</pre>
     */
    public KerasEstimator setMaxRetries(int v) { set(maxRetries, v); return this; }
    public int getMaxRetries() { return (Integer) $(maxRetries); }
    public KerasEstimator setOptimizer(String v) { set(optimizer, v); return this; }
    public String getOptimizer() { return $(optimizer); }
    public KerasEstimator setLearningRate(double v) { set(learningRate, v); return this; }
    public double getLearningRate() { return (Double) $(learningRate); }
    public KerasEstimator setLoss(String v) { set(loss, v); return this; }
    public String getLoss() { return $(loss); }
    public KerasEstimator setMetrics(String... v) { set(metrics, v); return this; }
    public String[] getMetrics() { return $(metrics); }
    /** Default is 1. */
    public KerasEstimator setVerbose(int v) { set(verbose, v); return this; }
    public int getVerbose() { return (Integer) $(verbose); }

    // ---- schema

    @Override
    public StructType transformSchema(StructType schema) {
        KerasModel.checkedBackend(this, backend);
        ModelInfo info = requireModelInfo(null);
        validateParams(info);
        String lossName = getLoss().isEmpty() ? info.lossClass : getLoss();
        info.checkScalarLabels(lossName, getLabelCol());
        KerasSchemas.validate(schema, KerasSchemas.featureColumns(getFeaturesCol(), getFeaturesCols()),
                getLabelCol(), ModelInfo.labelType(lossName), getWeightCol(), info.inputShape());
        checkValidationIndicator(schema);
        return KerasSchemas.withOutputs(schema, getRawPredictionCol(), getProbabilityCol(), getPredictionCol(),
                getHandleInvalid().equals("keep"));   // the fitted model's transform schema, as a Pipeline checks it
    }

    private void checkValidationIndicator(StructType schema) {
        String col = getValidationIndicatorCol();
        if (col.isEmpty()) {
            return;
        }
        if (getValidationFraction() > 0) {
            throw new IllegalArgumentException("Received validationFraction=" + getValidationFraction()
                    + " and validationIndicatorCol=\"" + col + "\", expected one of them: the column chooses the "
                    + "validation rows itself");
        }
        if (!Arrays.asList(schema.fieldNames()).contains(col)) {
            throw new IllegalArgumentException("Column `" + col + "` (`validationIndicatorCol`) does not exist, "
                    + "expected a boolean column (true for validation rows), or \"\" for none. Columns: "
                    + Arrays.toString(schema.fieldNames()));
        }
        org.apache.spark.sql.types.DataType t = schema.apply(col).dataType();
        if (!(t instanceof org.apache.spark.sql.types.BooleanType)) {
            throw new IllegalArgumentException("Column `" + col + "` (`validationIndicatorCol`) has type "
                    + t.simpleString() + ", expected boolean (true for validation rows, false for training rows)");
        }
    }

    private void validateParams(ModelInfo info) {
        if (!info.compiled && (getOptimizer().isEmpty() || getLoss().isEmpty())) {
            throw new IllegalArgumentException("Received an uncompiled model, expected a compiled one or both "
                    + "`optimizer` and `loss` set on the KerasEstimator. Received: optimizer=\"" + getOptimizer()
                    + "\", loss=\"" + getLoss() + "\"");
        }
        if (getLearningRate() > 0 && getOptimizer().isEmpty() && !info.compiled) {
            throw new IllegalArgumentException("Received learningRate=" + getLearningRate() + " without an "
                    + "optimizer to apply it to; set `optimizer` or compile the model");
        }
    }

    private ModelInfo requireModelInfo(org.apache.spark.sql.SparkSession spark) {
        if (modelBytes == null && !getModelPath().isEmpty()) {
            if (spark == null) {
                spark = org.apache.spark.sql.SparkSession.active();
            }
            byte[] bytes = StageIO.readFile(spark, getModelPath());
            try (Model m = ModelBytes.fromBytes(bytes)) {
                modelInfo = ModelInfo.of(m);
            }
            modelBytes = bytes;
        }
        if (modelBytes == null) {
            throw new IllegalArgumentException("Received no model, expected setModel(model) or setModelPath(path) "
                    + "before fit or transformSchema");
        }
        if (modelInfo == null) {
            try (Model m = ModelBytes.fromBytes(modelBytes)) {
                modelInfo = ModelInfo.of(m);
            }
        }
        return modelInfo;
    }

    // ---- fit

    @Override
    public KerasModel fit(Dataset<?> dataset) {
        if (dataset.isStreaming()) {
            // Training runs every epoch over the same rows, which a stream does not hold.
            throw new IllegalArgumentException("Received a streaming DataFrame, expected a batch one: fit trains "
                    + "epochs over a fixed set of rows. Fit each micro-batch (writeStream().foreachBatch(...)) or "
                    + "a batch read of the same source.");
        }
        StructType schema = dataset.schema();
        transformSchema(schema, true);
        ModelInfo info = modelInfo;
        int workers = getNumWorkers();
        SparkContext sc = dataset.sparkSession().sparkContext();
        checkSlots(sc, workers);
        String[] features = KerasSchemas.featureColumns(getFeaturesCol(), getFeaturesCols());
        List<Column> cols = new ArrayList<>();
        for (String f : features) {
            cols.add(functions.col(f));
        }
        cols.add(functions.col(getLabelCol()));
        if (!getWeightCol().isEmpty()) {
            cols.add(functions.col(getWeightCol()));
        }
        if (!getValidationIndicatorCol().isEmpty()) {
            cols.add(functions.col(getValidationIndicatorCol()));
        }
        Dataset<Row> selected = dataset.select(cols.toArray(new Column[0]));
        org.apache.spark.rdd.RDD<InternalRow> plan = selected.queryExecution().toRdd();
        if (plan.getNumPartitions() != workers || !barrierCompatible(plan)
                || !evenEnough(selected, getBatchSize(), getValidationIndicatorCol())) {
            selected = selected.repartition(workers);
        }
        String lossName = getLoss().isEmpty() ? info.lossClass : getLoss();

        TrainSpec spec = new TrainSpec();
        spec.modelBytes = modelBytes;
        spec.schema = selected.schema();
        spec.columns = KerasSchemas.validate(spec.schema, features, getLabelCol(), ModelInfo.labelType(lossName),
                getWeightCol(), info.inputShape());
        if (!getHandleInvalid().equals("error")) {
            spec.columns.badRowPolicy(BadRowPolicy.SKIP);
        }
        spec.handleInvalid = getHandleInvalid();
        spec.featureShape = info.inputShape;
        spec.numWorkers = workers;
        spec.epochs = getEpochs();
        spec.batchSize = getBatchSize();
        spec.shuffle = getShuffle();
        spec.seed = getSeed();
        spec.validationFraction = getValidationFraction();
        spec.validationIndicator = getValidationIndicatorCol().isEmpty() ? -1
                : spec.schema.fieldIndex(getValidationIndicatorCol());
        spec.backend = KerasModel.checkedBackend(this, backend);
        spec.timeoutSeconds = getTimeout();
        spec.checkpointDir = getCheckpointDir().isEmpty() ? null : getCheckpointDir();
        spec.verbose = getVerbose();
        spec.optimizer = getOptimizer().isEmpty() ? null : getOptimizer();
        spec.learningRate = getLearningRate();
        spec.loss = getLoss().isEmpty() ? null : getLoss();
        spec.metrics = isSet(metrics) ? Arrays.asList(getMetrics()) : null;
        spec.callbacks = callbacks;
        spec.fault = fault;
        spec.faultRank = faultRank;
        spec.jobId = "keras-" + uid + "-" + Long.toHexString(System.nanoTime());
        spec.jobSecret = new byte[32];
        new SecureRandom().nextBytes(spec.jobSecret);

        String previous = sc.getLocalProperty("spark.job.description");
        sc.setJobDescription("KerasEstimator.fit: " + workers + " workers x " + spec.epochs + " epochs");
        List<TaskResult> results;
        DriverProgress progress = spec.verbose > 0 || progressSink != null
                ? DriverProgress.start(sc, progressSink != null ? progressSink : System.out::println,
                progressSink != null) : null;
        spec.progress = progress == null ? null : progress.emitter();
        try {
            org.apache.spark.rdd.RDD<InternalRow> rows = selected.queryExecution().toRdd();
            for (int attempt = 0; ; attempt++) {
                // Each attempt is a new ring: the job id names the attempt, so a late frame of the last one is
                // refused.
                spec.jobId = "keras-" + uid + "-" + Long.toHexString(System.nanoTime());
                org.apache.spark.rdd.RDD<TaskResult> trained = rows.barrier().mapPartitions(new TrainTask(spec),
                        false, ClassTag$.MODULE$.apply(TaskResult.class));
                try {
                    results = new JavaRDD<>(trained, ClassTag$.MODULE$.apply(TaskResult.class)).collect();
                    break;
                } catch (Exception e) {   // Spark's checked SparkException, which Scala code throws undeclared
                    if (attempt >= getMaxRetries() || isUserError(e)) {
                        throw KerasEstimator.<RuntimeException>rethrow(e);
                    }
                    System.err.println("KerasEstimator.fit: the training stage failed (attempt " + (attempt + 1)
                            + " of " + (getMaxRetries() + 1) + "); retrying " + (spec.checkpointDir == null
                            ? "from the start" : "from the last checkpoint in " + spec.checkpointDir) + ": "
                            + e.getMessage());
                }
            }
        } finally {
            sc.setJobDescription(previous);
            if (progress != null) {
                progress.close();
            }
        }
        KerasTrainingSummary summary = new KerasTrainingSummary(results);
        if (!summary.weightsInSync()) {
            throw new IllegalStateException("Workers ended with different weights (checksums "
                    + summary.weightsChecksums() + "): data-parallel training lost synchronisation");
        }
        byte[] trainedBytes = null;
        for (TaskResult r : results) {
            if (r.rank == 0) {
                trainedBytes = r.modelBytes;
            }
        }
        KerasModel model = new KerasModel(uid, trainedBytes, info, summary);
        copyValues(model, new ParamMap());
        return model.setParent(this);
    }

    /**
     * Whether a DataFrame that already has {@code numWorkers} partitions can train as it is. Every worker runs the
     * same steps, so the smallest partition sets them: a partition short of a batch fails the fit, and one a batch
     * or more smaller than another leaves that many of the other's rows out of every epoch. Parquet splits follow
     * row groups (one file of one row group reads as a full and an empty partition), so this is common. Counting
     * costs one job that reads no columns (but {@code validationIndicatorCol}: its training rows are what must be
     * even, and a split by time often puts all validation rows in the last partitions); even partitions are then
     * used as they are (no shuffle).
     */
    static boolean evenEnough(Dataset<Row> selected, int batchSize, String validationIndicatorCol) {
        Dataset<Row> training = validationIndicatorCol.isEmpty() ? selected
                : selected.where(functions.not(functions.coalesce(functions.col(validationIndicatorCol),
                functions.lit(false))));
        List<Long> rows = training.select().queryExecution().toRdd().toJavaRDD()
                .mapPartitions(it -> {
                    long n = 0;
                    for (; it.hasNext(); it.next()) {
                        n++;
                    }
                    return List.of(n).iterator();
                }).collect();
        long min = Long.MAX_VALUE;
        long max = 0;
        for (long n : rows) {
            min = Math.min(min, n);
            max = Math.max(max, n);
        }
        return min >= batchSize && max - min < batchSize;
    }

    /**
     * Whether Spark can run a barrier stage directly over {@code rdd}: not if the stage would contain a union, a
     * partition-pruning or coalescing RDD (Spark refuses those chains with
     * {@code BarrierJobUnsupportedRDDChainException}; a union of two DataFrames is the common case). The walk stops
     * at shuffle boundaries, where the stage begins.
     */
    static boolean barrierCompatible(org.apache.spark.rdd.RDD<?> rdd) {
        // By name as well: Spark has union RDDs that are not public API (SQLPartitioningAwareUnionRDD, used by SQL).
        if (rdd instanceof org.apache.spark.rdd.UnionRDD<?>
                || rdd instanceof org.apache.spark.rdd.PartitionPruningRDD<?>
                || rdd instanceof org.apache.spark.rdd.CoalescedRDD<?>
                || rdd.getClass().getSimpleName().contains("Union")) {
            return false;
        }
        for (org.apache.spark.Dependency<?> d : scala.jdk.javaapi.CollectionConverters.asJava(rdd.dependencies())) {
            if (!(d instanceof org.apache.spark.ShuffleDependency<?, ?, ?>) && !barrierCompatible(d.rdd())) {
                return false;
            }
        }
        return true;
    }

    /** Throws {@code e} as it is, checked or not (as Scala code does). */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException rethrow(Throwable e) throws T {
        throw (T) e;
    }

    /**
     * Failures another attempt would repeat: bad data or settings, reported by the tasks as these exceptions (the
     * class name travels in the message from executors).
     */
    private static boolean isUserError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (t instanceof IllegalArgumentException || m.contains("java.lang.IllegalArgumentException")
                    || m.contains("The model is not compiled")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Test hook: rank 0's epoch lines go to {@code sink} through the accumulator that carries them from executors,
     * even in local mode.
     */
    KerasEstimator progressTo(java.util.function.Consumer<String> sink) {
        this.progressSink = sink;
        return this;
    }

    /**
     * Test hook: makes rank {@code rank} {@code "throw"} or {@code "hang"} at the end of epoch 2 of a run that
     * starts from epoch 0 (so a retry that resumes from checkpoint 1 goes through).
     */
    KerasEstimator injectFault(String kind, int rank) {
        this.fault = kind;
        this.faultRank = rank;
        return this;
    }

    /**
     * Fails at once when a local master cannot run {@code workers} tasks together. Spark would otherwise retry its own
     * barrier slot check every 15 s for up to 10 minutes before failing the job.
     */
    private static void checkSlots(SparkContext sc, int workers) {
        int slots = localSlots(sc.master(), Runtime.getRuntime().availableProcessors(),
                sc.getConf().getInt("spark.task.cpus", 1));
        if (slots >= 0 && slots < workers) {
            throw new IllegalArgumentException("Received numWorkers=" + workers + ", expected at most the " + slots
                    + " task slots of master " + sc.master() + ": a barrier stage runs all its tasks at once. Use "
                    + "more local threads (local[" + workers + "]) or fewer workers.");
        }
    }

    /**
     * The tasks a local master runs at once: {@code local} 1, {@code local[N]} and {@code local[N,F]} N,
     * {@code local[*]} the cores, {@code local-cluster[E,C,M]} E times C over {@code spark.task.cpus}; -1 for a
     * cluster manager, whose executors may still be starting (Spark's own check waits for them).
     */
    static int localSlots(String master, int cores, int taskCpus) {
        Matcher m = LOCAL_MASTER.matcher(master);
        if (master.equals("local")) {
            return 1;
        }
        if (m.matches()) {
            return (m.group(1).equals("*") ? cores : Integer.parseInt(m.group(1))) / Math.max(1, taskCpus);
        }
        Matcher c = LOCAL_CLUSTER.matcher(master);
        if (c.matches()) {
            return Integer.parseInt(c.group(1)) * (Integer.parseInt(c.group(2)) / Math.max(1, taskCpus));
        }
        return -1;
    }

    @Override
    public KerasEstimator copy(ParamMap extra) {
        KerasEstimator c = new KerasEstimator(uid);
        c.modelBytes = modelBytes;
        c.modelInfo = modelInfo;
        c.callbacks = callbacks;
        copyValues(c, extra);
        return c;
    }

    // ---- persistence

    @Override
    public MLWriter write() {
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                StageIO.saveMetadata(KerasEstimator.this, path, sparkSession());
                if (modelBytes != null) {
                    StageIO.writeBytes(sparkSession(), path, modelBytes);
                }
            }
        };
    }

    public static MLReader<KerasEstimator> read() {
        return new MLReader<>() {
            @Override
            public KerasEstimator load(String path) {
                KerasEstimator e = new KerasEstimator(StageIO.uid(path, sparkSession(),
                        KerasEstimator.class.getName()));
                StageIO.loadParams(e, path, sparkSession());
                if (!e.isSet(e.backend())) {
                    // The saved default was the saving driver's configuration; this driver's applies (as Keras 3).
                    e.setDefault(e.backend(), KerasModel.configuredBackend());
                }
                byte[] bytes = StageIO.readBytes(sparkSession(), path);
                if (bytes != null) {
                    e.modelBytes = bytes;
                }
                return e;
            }
        };
    }

    public static KerasEstimator load(String path) {
        return read().load(path);
    }
}
