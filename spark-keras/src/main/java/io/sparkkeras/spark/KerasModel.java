package io.sparkkeras.spark;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.callbacks.History;
import io.sparkkeras.data.BadRowPolicy;
import io.sparkkeras.data.ColumnSpec;
import io.sparkkeras.models.Model;
import io.sparkkeras.utils.NdArray;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * A trained Keras model as a Spark ML {@link org.apache.spark.ml.Model}: {@link #transform} adds, as Spark ML's
 * probabilistic classifiers do, a {@code rawPrediction} column (ML Vector: the model's outputs as they are, logits
 * when the model was trained on logits), a {@code probability} column (ML Vector: the outputs, softmax-ed when the
 * model was trained on logits) and a {@code prediction} column (double: the most probable class; the output itself
 * for one-output models). A model trained with binary crossentropy on one output is a binary classifier, as Spark
 * ML's: rawPrediction {@code [-z, z]} for a logit {@code z} (as {@code LogisticRegressionModel}; {@code [1 - p, p]}
 * for a sigmoid output {@code p}), probability {@code [P(0), P(1)]} and prediction 1 when {@code P(1) > 0.5}; so
 * {@code new BinaryClassificationEvaluator()} reads it with its defaults.
 *
 * <p>Transform is lazy and runs batch by batch through Arrow; each executor JVM loads the model once and reuses it
 * across tasks (one instance per concurrently running task). Saved as Spark ML metadata plus the model bytes, so a
 * {@code PipelineModel} holding it saves and loads. A streaming DataFrame is scored the same way, row by row
 * through a typed {@code mapPartitions} (Spark gives a streaming plan no RDD): {@code fitted.transform(
 * spark.readStream().schema(schema).parquet(dir)).writeStream()...}.
 *
 * <pre>{@code
 * KerasModel fitted = new KerasEstimator().setModel(model).setNumWorkers(2).fit(train);
 * Dataset<Row> scored = fitted.transform(test);       // + rawPrediction, probability, prediction
 * fitted.write().overwrite().save(path);
 * KerasModel again = KerasModel.load(path);
 * }</pre>
 */
public final class KerasModel extends org.apache.spark.ml.Model<KerasModel> implements MLWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> featuresCol;
    private final StringArrayParam featuresCols;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final Param<String> rawPredictionCol;
    private final DoubleArrayParam thresholds;
    private final IntParam inferenceBatchSize;
    private final Param<String> handleInvalid;
    private final Param<String> backend;

    private final byte[] modelBytes;
    private final ModelInfo info;
    private final KerasTrainingSummary summary;
    private transient Broadcast<byte[]> broadcast;
    /** The key of this model's loaded copies in {@link ModelCache} (computed once: a CRC of the model bytes). */
    private transient String cacheKey;

    KerasModel(String uid, byte[] modelBytes, ModelInfo info, KerasTrainingSummary summary) {
        this.uid = uid;
        this.modelBytes = modelBytes;
        this.info = info;
        this.summary = summary;
        featuresCol = new Param<>(this, "featuresCol", "features column: array<float>, array<double> or ml Vector");
        featuresCols = new StringArrayParam(this, "featuresCols", "several numeric feature columns; when not "
                + "empty, used instead of featuresCol");
        predictionCol = new Param<>(this, "predictionCol", "prediction column name; empty for none");
        probabilityCol = new Param<>(this, "probabilityCol", "probability column name; empty for none");
        rawPredictionCol = new Param<>(this, "rawPredictionCol", "raw prediction column name (the model's outputs, "
                + "before softmax or sigmoid); empty for none");
        thresholds = new DoubleArrayParam(this, "thresholds", "per class, as Spark ML's classifiers: the predicted "
                + "class is the one with the largest probability / threshold (>= 0, at most one 0); unset for the most "
                + "probable class");
        inferenceBatchSize = new IntParam(this, "inferenceBatchSize", "rows per predict call in transform (>= 1)",
                ParamValidators.gtEq(1));
        handleInvalid = new Param<>(this, "handleInvalid", "rows whose features are null, NaN, infinite or of the "
                + "wrong length: error (fail naming column and row), skip (leave them out of the output) or keep "
                + "(keep them, with null output columns), as Spark ML's VectorAssembler",
                ParamValidators.inArray(new String[] {"error", "skip", "keep"}));
        backend = new Param<>(this, "backend", "Keras backend on the executors: torch or tensorflow"
                + " (default: the driver's, as KERAS_BACKEND or ~/.keras/keras.json configure it)");
        setDefault(featuresCol, "features");
        setDefault(featuresCols, new String[0]);
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        setDefault(rawPredictionCol, "rawPrediction");
        setDefault(inferenceBatchSize, 1024);
        setDefault(handleInvalid, "error");
        // As Keras 3: the backend comes from configuration (or the calling thread's choice), not a fixed name.
        setDefault(backend, configuredBackend());
    }

    /** A KerasModel over a trained keras-core model (copied now), e.g. one trained locally with {@code fit}. */
    public static KerasModel of(Model model) {
        return new KerasModel(Identifiable$.MODULE$.randomUID("kerasModel"), ModelBytes.toBytes(model),
                ModelInfo.of(model), null);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> featuresCol() { return featuresCol; }
    public StringArrayParam featuresCols() { return featuresCols; }
    public Param<String> predictionCol() { return predictionCol; }
    public Param<String> probabilityCol() { return probabilityCol; }
    public Param<String> rawPredictionCol() { return rawPredictionCol; }
    public DoubleArrayParam thresholds() { return thresholds; }
    public IntParam inferenceBatchSize() { return inferenceBatchSize; }
    public Param<String> handleInvalid() { return handleInvalid; }
    public Param<String> backend() { return backend; }

    public KerasModel setFeaturesCol(String v) { set(featuresCol, v); return this; }
    public String getFeaturesCol() { return $(featuresCol); }
    public KerasModel setFeaturesCols(String... v) { set(featuresCols, v); return this; }
    public String[] getFeaturesCols() { return $(featuresCols); }
    public KerasModel setPredictionCol(String v) { set(predictionCol, v); return this; }
    public String getPredictionCol() { return $(predictionCol); }
    public KerasModel setProbabilityCol(String v) { set(probabilityCol, v); return this; }
    public String getProbabilityCol() { return $(probabilityCol); }
    public KerasModel setRawPredictionCol(String v) { set(rawPredictionCol, v); return this; }
    public String getRawPredictionCol() { return $(rawPredictionCol); }
    /**
     * Spark ML's {@code thresholds}: the prediction is the class with the largest {@code probability / threshold}.
     * For a binary classifier, {@code setThresholds(0.7, 0.3)} predicts 1 once {@code P(1) > 0.3}. Unset by default.
     */
    public KerasModel setThresholds(double... v) { set(thresholds, v); return this; }
    public double[] getThresholds() { return $(thresholds); }
    /**
     * What a row with bad features does, as Spark ML's {@code handleInvalid}: {@code "error"} (the default) fails
     * the job with a message naming the column and the row; {@code "skip"} leaves the row out of the output;
     * {@code "keep"} keeps it, with null in each output column (null rather than {@code VectorAssembler}'s NaN, so
     * that no NaN passes for a score: {@code filter(col("prediction").isNull())} finds the rows).
     * <pre>{@code
     * Dataset<Row> scored = model.setHandleInvalid("keep").transform(customers);   // every customer, bad ones null
     * }</pre>
     */
    public KerasModel setHandleInvalid(String v) { set(handleInvalid, v); return this; }
    public String getHandleInvalid() { return $(handleInvalid); }
    /** Rows per predict call. Default is 1024. */
    public KerasModel setInferenceBatchSize(int v) { set(inferenceBatchSize, v); return this; }
    public int getInferenceBatchSize() { return (Integer) $(inferenceBatchSize); }
    /** Keras backend on the executors. Default: the driver's ({@link io.sparkkeras.backend.Backends#currentName()}). */
    public KerasModel setBackend(String v) { Backends.canonicalName(v); set(backend, v); return this; }
    public String getBackend() { return $(backend); }

    /** A new keras-core model with the trained weights, owned by the caller. */
    public Model getModel() {
        return ModelBytes.fromBytes(modelBytes);
    }

    /** Whether this model comes from a {@code fit} in this session (a loaded model has no summary). */
    public boolean hasSummary() {
        return summary != null;
    }

    /** How training went. @throws IllegalStateException for a loaded model */
    public KerasTrainingSummary summary() {
        if (summary == null) {
            throw new IllegalStateException("KerasModel " + uid + " has no training summary: it was loaded or built "
                    + "with KerasModel.of, not returned by KerasEstimator.fit");
        }
        return summary;
    }

    /** The History of training: each epoch's loss and metrics, averaged over the workers. */
    public History history() {
        return summary().history();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        checkedBackend(this, backend);
        KerasSchemas.validate(schema, KerasSchemas.featureColumns(getFeaturesCol(), getFeaturesCols()), null, null,
                info.inputShape());
        if (getPredictionCol().isEmpty() && getProbabilityCol().isEmpty() && getRawPredictionCol().isEmpty()) {
            throw new IllegalArgumentException("Received empty `rawPredictionCol`, `probabilityCol` and "
                    + "`predictionCol`, expected at least one output column");
        }
        if (isDefined(thresholds)) {
            info.checkThresholds(getThresholds());
        }
        return KerasSchemas.withOutputs(schema, getRawPredictionCol(), getProbabilityCol(), getPredictionCol(),
                getHandleInvalid().equals("keep"));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType schema = dataset.schema();
        StructType out = transformSchema(schema, true);
        ColumnSpec spec = KerasSchemas.validate(schema, KerasSchemas.featureColumns(getFeaturesCol(),
                getFeaturesCols()), null, null, info.inputShape());
        boolean keep = getHandleInvalid().equals("keep");
        if (!getHandleInvalid().equals("error")) {
            spec.badRowPolicy(BadRowPolicy.SKIP);   // the reader leaves the row out of the batch either way
        }
        org.apache.spark.sql.classic.SparkSession spark =
                (org.apache.spark.sql.classic.SparkSession) dataset.sparkSession();
        String engine = checkedBackend(this, backend);
        PredictPartition fn = new PredictPartition(cacheKey(engine), broadcast(spark), engine, schema, spec,
                info.inputShape, getInferenceBatchSize(), !getRawPredictionCol().isEmpty(),
                !getProbabilityCol().isEmpty(), !getPredictionCol().isEmpty(), keep, outputColumns());
        if (dataset.isStreaming()) {
            return dataset.toDF().mapPartitions(new StreamingPredict(fn, schema, out), Encoders.row(out));
        }
        JavaRDD<InternalRow> rows = dataset.toDF().queryExecution().toRdd().toJavaRDD().mapPartitions(fn);
        return spark.internalCreateDataFrame(rows.rdd(), out, false);
    }

    private OutputColumns outputColumns() {
        return new OutputColumns(info.fromLogits, info.sigmoidOutputs(),
                isDefined(thresholds) ? getThresholds() : null);
    }

    // ---- one row, as Spark ML's ClassificationModel (for serving single requests from the driver)

    /**
     * The prediction for one row of features, as {@code transform}'s prediction column would hold it (Spark ML's
     * {@code ClassificationModel.predict}). The model is loaded once in this JVM and reused; safe to call from
     * several threads.
     * <pre>{@code
     * double label = kerasModel.predict(Vectors.dense(pixels));
     * }</pre>
     */
    public double predict(Vector features) {
        return predictOne(features).prediction();
    }

    /** One row's probability vector, as {@code transform}'s probability column (Spark's {@code predictProbability}). */
    public Vector predictProbability(Vector features) {
        return Vectors.dense(predictOne(features).probability());
    }

    /** One row's raw prediction, as {@code transform}'s rawPrediction column (Spark's {@code predictRaw}). */
    public Vector predictRaw(Vector features) {
        return Vectors.dense(predictOne(features).raw());
    }

    /** The number of features the model takes per row: the size of its input shape. */
    public int numFeatures() {
        return Math.toIntExact(info.inputShape().size());
    }

    private OutputColumns.Row predictOne(Vector features) {
        if (isDefined(thresholds)) {
            info.checkThresholds(getThresholds());   // as transformSchema does before a transform
        }
        int n = numFeatures();
        if (features.size() != n) {
            throw new IllegalArgumentException("Received features of size " + features.size() + ", expected " + n
                    + ", the size of the model's input shape " + Arrays.toString(info.inputShape));
        }
        double[] v = features.toArray();
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(v[i])) {
                throw new IllegalArgumentException("Received features with " + v[i] + " at index " + i
                        + ", expected finite values");
            }
            x[i] = (float) v[i];
        }
        int[] dims = info.inputShape().prepend(1).intDims();
        String engine = checkedBackend(this, backend);
        String key = cacheKey(engine);
        Model m = ModelCache.borrow(key, engine, () -> modelBytes);
        try (Backends.Selection s = Backends.use(engine)) {
            float[] y = m.predictOnBatch(NdArray.of(x).reshape(dims)).toFloatArray();
            return outputColumns().of(y, 0, y.length);
        } finally {
            ModelCache.giveBack(key, m);
        }
    }

    private synchronized Broadcast<byte[]> broadcast(org.apache.spark.sql.SparkSession spark) {
        if (broadcast == null) {
            broadcast = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(modelBytes);
        }
        return broadcast;
    }

    /** The executors' cache key of this model on {@code backend}: a model loaded on one engine is no use to another. */
    private String cacheKey(String backend) {
        if (cacheKey == null) {
            CRC32 crc = new CRC32();
            crc.update(modelBytes);
            cacheKey = uid + "/" + Long.toHexString(crc.getValue()) + "/" + modelBytes.length;
        }
        return cacheKey + "@" + backend;
    }

    @Override
    public KerasModel copy(ParamMap extra) {
        KerasModel c = new KerasModel(uid, modelBytes, info, summary);
        copyValues(c, extra);
        return c.setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                StageIO.saveMetadata(KerasModel.this, path, sparkSession());
                StageIO.writeBytes(sparkSession(), path, modelBytes);
            }
        };
    }

    public static MLReader<KerasModel> read() {
        return new MLReader<>() {
            @Override
            public KerasModel load(String path) {
                byte[] bytes = StageIO.readBytes(sparkSession(), path);
                if (bytes == null) {
                    throw new IllegalArgumentException("No model file under " + path + " (expected "
                            + StageIO.MODEL_FILE + ")");
                }
                ModelInfo info;
                try (Model m = ModelBytes.fromBytes(bytes)) {
                    info = ModelInfo.of(m);
                }
                KerasModel model = new KerasModel(StageIO.uid(path, sparkSession(), KerasModel.class.getName()),
                        bytes, info, null);
                StageIO.loadParams(model, path, sparkSession());
                if (!model.isSet(model.backend())) {
                    // The saved default was the saving driver's configuration; this driver's applies (as Keras 3).
                    model.setDefault(model.backend(), configuredBackend());
                }
                return model;
            }
        };
    }

    /**
     * A stage's {@code backend} as its Keras name, checked on the driver: a misspelt name fails here, saying where it
     * came from, instead of in every executor's task.
     */
    static String checkedBackend(Params stage, Param<String> backend) {
        try {
            return Backends.canonicalName(stage.getOrDefault(backend));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + (stage.isSet(backend) ? "" : ". `backend` was not "
                    + "set, so it is this driver's configured Keras backend (the KERAS_BACKEND system property or "
                    + "environment variable, or \"backend\" in ~/.keras/keras.json): fix that, or call setBackend"), e);
        }
    }

    /**
     * The default of the {@code backend} param: this driver's Keras backend as configured
     * ({@link io.sparkkeras.backend.Backends#currentName()}), or torch if the configuration cannot be read (a
     * malformed {@code ~/.keras/keras.json} then fails where the backend is used, not in a constructor).
     */
    static String configuredBackend() {
        try {
            return io.sparkkeras.backend.Backends.currentName();
        } catch (RuntimeException e) {
            return "torch";
        }
    }

    public static KerasModel load(String path) {
        return read().load(path);
    }
}
