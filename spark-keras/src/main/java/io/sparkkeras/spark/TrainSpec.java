package io.sparkkeras.spark;

import io.sparkkeras.data.ColumnSpec;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.List;

/**
 * Everything a barrier task needs to train, built once on the driver by {@link KerasEstimator#fit} and shipped with
 * the task: the model bytes, the columns, the fit settings, the compile overrides and the job's secret.
 */
final class TrainSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    byte[] modelBytes;
    StructType schema;
    ColumnSpec columns;
    long[] featureShape;
    int numWorkers;
    int epochs;
    int batchSize;
    boolean shuffle;
    long seed;
    double validationFraction;
    /** Index in {@link #schema} of the boolean {@code validationIndicatorCol}, or -1. */
    int validationIndicator = -1;
    String backend;
    long timeoutSeconds;
    String checkpointDir;
    /** The estimator's {@code handleInvalid}, for messages: "error", "skip" or "keep". */
    String handleInvalid = "error";
    int verbose;
    /** Where rank 0's epoch lines go (to the driver's console); null when {@code verbose} is 0. */
    DriverProgress.Emitter progress;
    /** Compile overrides; null keeps the model's own compile settings. */
    String optimizer;
    double learningRate;
    String loss;
    List<String> metrics;
    /** The user's Keras callbacks, run on every rank after {@code EpochReducer}; a copy per task. */
    List<io.sparkkeras.callbacks.Callback> callbacks = List.of();
    /**
     * Test-only fault: {@code "throw"} or {@code "hang"} on rank {@link #faultRank} at the end of epoch 2, in a run
     * that started from epoch 0 (a resumed run goes through).
     */
    String fault;
    int faultRank = -1;
    String jobId;
    byte[] jobSecret;
}
