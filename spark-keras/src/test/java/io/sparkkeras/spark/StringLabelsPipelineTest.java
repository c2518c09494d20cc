package io.sparkkeras.spark;

import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.IndexToString;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The everyday Spark ML shape of a classifier: string labels through {@code StringIndexer} (double class ids),
 * numeric columns through {@code VectorAssembler}, our estimator, and {@code IndexToString} back to the names.
 */
@Tag("spark")
@Timeout(180)
class StringLabelsPipelineTest {
    private static final String[] NAMES = {"shirt", "sneaker", "bag"};

    @Test
    void stringLabelsIndexedTrainedAndMappedBack() {
        StructType schema = new StructType().add("a", DataTypes.DoubleType).add("b", DataTypes.DoubleType)
                .add("c", DataTypes.DoubleType).add("kind", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (Row r : TestSpark.blobs(900, 3, 17)) {
            Object[] x = (Object[]) r.get(0);
            rows.add(RowFactory.create((double) (Float) x[0], (double) (Float) x[1], (double) (Float) x[2],
                    NAMES[r.getInt(1)]));
        }
        Dataset<Row> df = TestSpark.frame(rows, schema, 2);

        Sequential m = new Sequential(new Input(3), new Dense(16, "relu"), new Dense(3));
        m.compile(new Adam(1e-2), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                List.of("accuracy"));
        StringIndexer indexer = new StringIndexer().setInputCol("kind").setOutputCol("label");
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
                indexer,
                new VectorAssembler().setInputCols(new String[] {"a", "b", "c"}).setOutputCol("features"),
                new KerasEstimator().setModel(m).setNumWorkers(2).setBatchSize(32).setEpochs(5).setVerbose(0)});
        PipelineModel fitted = pipeline.fit(df);
        StringIndexerModel labels = (StringIndexerModel) fitted.stages()[0];
        Dataset<Row> scored = new IndexToString().setInputCol("prediction").setOutputCol("predictedKind")
                .setLabels(labels.labelsArray()[0]).transform(fitted.transform(df));

        double accuracy = new MulticlassClassificationEvaluator().setLabelCol("label").setPredictionCol("prediction")
                .setMetricName("accuracy").evaluate(scored);
        assertTrue(accuracy > 0.9, "accuracy " + accuracy);
        long named = scored.filter("kind = predictedKind").count();
        assertTrue(named > 0.9 * rows.size(), named + " of " + rows.size() + " named right");
    }
}
