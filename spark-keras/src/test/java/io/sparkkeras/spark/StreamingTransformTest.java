package io.sparkkeras.spark;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fitted model scores a Structured Streaming DataFrame as any Spark ML transformer does: rows arriving as Parquet
 * files in a folder get the same probability and prediction as the batch transform of the same rows (bad rows kept
 * with null outputs in both). Fitting a stream is refused with a message that says what to do instead.
 */
@Tag("spark")
@Timeout(120)
class StreamingTransformTest {
    @Test
    void aStreamOfParquetFilesIsScoredLikeTheSameRowsInABatch(@TempDir Path dir) throws Exception {
        // 700 good rows and three bad ones, which handleInvalid "keep" scores as null in both plans. (No NaN among
        // them: Row equality, Scala's ==, never finds a NaN equal to itself.)
        List<Row> input = new ArrayList<>(TestSpark.blobs(700, 8, 21));
        input.add(300, RowFactory.create(new Float[] {1f, Float.NEGATIVE_INFINITY, 0f, 0f, 0f, 0f, 0f, 0f}, 1));
        input.add(RowFactory.create(new Float[] {1f, 2f}, 2));
        input.add(RowFactory.create(new Float[] {Float.POSITIVE_INFINITY, 0f, 0f, 0f, 0f, 0f, 0f, 0f}, 0));
        Dataset<Row> rows = TestSpark.frame(input, TestSpark.FLOATS, 2);
        Sequential m = new Sequential(new Input(8), new Dense(16, "relu"), new Dense(3));
        m.compile(new Adam(1e-2), SparseCategoricalCrossentropy.builder().fromLogits(true).build(), List.of());
        KerasModel model = KerasModel.of(m).setInferenceBatchSize(64).setHandleInvalid("keep");
        String incoming = dir.resolve("incoming").toString();
        rows.write().parquet(incoming);

        Dataset<Row> stream = TestSpark.get().readStream().schema(TestSpark.FLOATS).parquet(incoming);
        StreamingQuery query = model.transform(stream).writeStream().format("memory").queryName("scored")
                .option("checkpointLocation", dir.resolve("checkpoint").toString())
                .trigger(Trigger.AvailableNow()).start();
        assertTrue(query.awaitTermination(60_000), "the query did not end within 60 s");

        List<Row> streamed = TestSpark.get().table("scored").orderBy("label", "features").collectAsList();
        List<Row> batch = model.transform(TestSpark.get().read().parquet(incoming)).orderBy("label", "features")
                .collectAsList();
        assertEquals(703, streamed.size());
        assertEquals(batch, streamed);
        assertEquals(3, streamed.stream().filter(r -> r.isNullAt(4)).count());
        assertEquals(List.of("features", "label", "rawPrediction", "probability", "prediction"),
                List.of(TestSpark.get().table("scored").columns()));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new KerasEstimator().setModel(m).fit(stream));
        assertTrue(e.getMessage().startsWith("Received a streaming DataFrame, expected a batch one"), e.getMessage());
    }
}
