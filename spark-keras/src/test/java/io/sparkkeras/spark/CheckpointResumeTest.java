package io.sparkkeras.spark;

import io.sparkkeras.callbacks.ReduceLROnPlateau;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.Model;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.utils.NdArray;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rank 0 writes a .keras checkpoint per epoch; a later fit over the same directory resumes after the last one. */
@Tag("spark")
@Timeout(120)
class CheckpointResumeTest {
    @Test
    void checkpointsEachEpochAndResumes(@TempDir Path dir) {
        Sequential m = new Sequential(new Input(8), new Dense(3));
        m.compile(new Adam(1e-2), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                List.of("accuracy"));
        Dataset<Row> train = TestSpark.frame(TestSpark.blobs(256, 8, 5), TestSpark.FLOATS, 2);
        String checkpoints = dir.resolve("ckpt").toString();
        KerasEstimator estimator = new KerasEstimator().setModel(m).setNumWorkers(2).setBatchSize(32).setEpochs(2)
                .setCheckpointDir(checkpoints).setVerbose(0);
        KerasModel first = estimator.fit(train);
        assertTrue(Files.exists(dir.resolve("ckpt/epoch-0001.keras")));
        assertTrue(Files.exists(dir.resolve("ckpt/epoch-0002.keras")));
        assertEquals(0, first.summary().initialEpoch());
        assertEquals(2 * 4, first.summary().stepsRun());

        // As a retried stage would: the same directory, more epochs; training restarts after epoch 2.
        KerasModel resumed = estimator.copy(new org.apache.spark.ml.param.ParamMap()).setEpochs(3).fit(train);
        assertEquals(2, resumed.summary().initialEpoch());
        assertEquals(4, resumed.summary().stepsRun());
        assertEquals(List.of(2), resumed.history().epoch());
        assertTrue(Files.exists(dir.resolve("ckpt/epoch-0003.keras")));
    }

    @Test
    void resumingGivesTheSameModelAsNotStopping(@TempDir Path dir) {
        Sequential m = new Sequential(new Input(8), new Dense(3));
        m.compile(new Adam(1e-2), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                List.of("accuracy"));
        Dataset<Row> train = TestSpark.frame(TestSpark.blobs(256, 8, 5), TestSpark.FLOATS, 2);
        KerasEstimator estimator = new KerasEstimator().setModel(m).setNumWorkers(2).setBatchSize(32).setVerbose(0);

        KerasModel straight = estimator.copy(new org.apache.spark.ml.param.ParamMap()).setEpochs(3).fit(train);
        String checkpoints = dir.resolve("ckpt").toString();
        estimator.copy(new org.apache.spark.ml.param.ParamMap()).setEpochs(2).setCheckpointDir(checkpoints)
                .fit(train);
        KerasModel resumed = estimator.copy(new org.apache.spark.ml.param.ParamMap()).setEpochs(3)
                .setCheckpointDir(checkpoints).fit(train);

        assertEquals(2, resumed.summary().initialEpoch());
        try (Model a = straight.getModel(); Model b = resumed.getModel()) {
            // Adam's step count and moments came back with the weights: the last epoch is the same epoch.
            assertEquals(12, b.optimizer().iterations());
            List<NdArray> wa = a.getWeights();
            List<NdArray> wb = b.getWeights();
            for (int i = 0; i < wa.size(); i++) {
                float[] x = wa.get(i).toFloatArray();
                float[] y = wb.get(i).toFloatArray();
                for (int j = 0; j < x.length; j++) {
                    assertEquals(x[j], y[j], 1e-5, "weight " + i + "[" + j + "] after resuming");
                }
            }
        }
    }

    @Test
    void aLearningRateLoweredOnAPlateauIsStillLowAfterResuming(@TempDir Path dir) throws Exception {
        Sequential m = new Sequential(new Input(8), new Dense(3));
        m.compile(new Adam(1e-2), SparseCategoricalCrossentropy.builder().fromLogits(true).build(), List.of());
        Dataset<Row> train = TestSpark.frame(TestSpark.blobs(256, 8, 5), TestSpark.FLOATS, 2);
        String checkpoints = dir.resolve("ckpt").toString();
        // No epoch can improve the loss by 1e9, so the rate halves at the end of epoch 2 (patience 1).
        ReduceLROnPlateau plateau = ReduceLROnPlateau.builder().monitor("loss").factor(0.5).patience(1)
                .minDelta(1e9).build();
        KerasEstimator estimator = new KerasEstimator().setModel(m).setNumWorkers(2).setBatchSize(32).setVerbose(0)
                .setCheckpointDir(checkpoints);
        KerasModel first = estimator.copy(new org.apache.spark.ml.param.ParamMap()).setEpochs(2)
                .setCallbacks(plateau).fit(train);
        try (Model saved = first.getModel();
             Model checkpoint = ModelBytes.fromBytes(Files.readAllBytes(dir.resolve("ckpt/epoch-0002.keras")))) {
            assertEquals(5e-3, saved.optimizer().currentLearningRate(), 1e-9);
            assertEquals(5e-3, checkpoint.optimizer().currentLearningRate(), 1e-9,
                    "the checkpoint is written after the user's callbacks");
        }

        // As a retried stage would, without the callback: training goes on at the lowered rate.
        KerasModel resumed = estimator.copy(new org.apache.spark.ml.param.ParamMap()).setEpochs(3).fit(train);
        assertEquals(2, resumed.summary().initialEpoch());
        try (Model b = resumed.getModel()) {
            assertEquals(5e-3, b.optimizer().currentLearningRate(), 1e-9);
        }
    }
}
