package io.sparkkeras.spark;

import io.sparkkeras.callbacks.CSVLogger;
import io.sparkkeras.callbacks.EarlyStopping;
import io.sparkkeras.callbacks.LambdaCallback;
import io.sparkkeras.callbacks.ModelCheckpoint;
import io.sparkkeras.callbacks.ProgbarLogger;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.SGD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras callbacks given to the estimator run on every worker, after each epoch's logs are averaged over the
 * workers, so they decide the same everywhere: EarlyStopping stops every worker at the same epoch.
 */
@Tag("spark")
@Timeout(180)
class EstimatorCallbacksTest {
    /** What each worker's LambdaCallback saw, by its rank's thread (local mode: the tasks share this JVM). */
    static final Map<String, List<Double>> SEEN = new ConcurrentHashMap<>();

    private static KerasEstimator estimator() {
        Sequential m = new Sequential(new Input(8), new Dense(3));
        m.compile(new SGD(0.05), SparseCategoricalCrossentropy.builder().fromLogits(true).build(), List.of());
        return new KerasEstimator().setModel(m).setNumWorkers(2).setBatchSize(32).setEpochs(10).setVerbose(0);
    }

    private static Dataset<Row> data() {
        return TestSpark.frame(TestSpark.blobs(512, 8, 3), TestSpark.FLOATS, 2);
    }

    @Test
    void earlyStoppingStopsEveryWorkerAtTheSameEpoch() {
        SEEN.clear();
        // No epoch after the first improves the loss by min_delta: Keras stops once patience epochs pass without one.
        EarlyStopping stop = EarlyStopping.builder().monitor("loss").minDelta(100).patience(1).build();
        LambdaCallback record = LambdaCallback.builder()
                .onEpochEnd((epoch, logs) -> SEEN.computeIfAbsent(Thread.currentThread().getName(),
                        k -> new CopyOnWriteArrayList<>()).add(logs.get("loss")))
                .build();
        KerasModel fitted = estimator().setCallbacks(stop, record).fit(data());

        assertEquals(List.of(0, 1), fitted.history().epoch(), "stopped after epoch 2 of 10");
        assertEquals(2, SEEN.size(), "one copy of the callback per worker: " + SEEN.keySet());
        List<List<Double>> perWorker = List.copyOf(SEEN.values());
        assertEquals(2, perWorker.get(0).size());
        // Every worker saw the logs averaged over all of them, the History's.
        assertEquals(perWorker.get(0), perWorker.get(1));
        assertEquals(fitted.history().history().get("loss"), perWorker.get(0));
    }

    @Test
    void callbacksThatWouldActOnEachWorkersHostAreRefusedWithWhatToUse() {
        IllegalArgumentException checkpoint = assertThrows(IllegalArgumentException.class,
                () -> estimator().setCallbacks(ModelCheckpoint.builder("model-{epoch}.keras").build()));
        assertTrue(checkpoint.getMessage().contains("ModelCheckpoint") && checkpoint.getMessage().contains(
                "checkpointDir"), checkpoint.getMessage());
        IllegalArgumentException csv = assertThrows(IllegalArgumentException.class,
                () -> estimator().setCallbacks(new CSVLogger(Path.of("log.csv"))));
        assertTrue(csv.getMessage().contains("KerasModel.history()"), csv.getMessage());
        assertThrows(IllegalArgumentException.class, () -> estimator().setCallbacks(new ProgbarLogger(1)));

        Object notSerializable = new Object();
        IllegalArgumentException lambda = assertThrows(IllegalArgumentException.class,
                () -> estimator().setCallbacks(LambdaCallback.builder()
                        .onTrainEnd(logs -> System.out.println(notSerializable)).build()));
        assertTrue(lambda.getMessage().contains("cannot be shipped to the workers")
                && lambda.getMessage().contains("java.lang.Object"), lambda.getMessage());
    }
}
