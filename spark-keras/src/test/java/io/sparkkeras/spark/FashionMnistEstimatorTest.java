package io.sparkkeras.spark;

import io.sparkkeras.datasets.FashionMnist;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Flatten;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.utils.NdArray;
import io.sparkkeras.utils.RandomSeeds;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reference MLP on a slice of Fashion-MNIST through the Estimator with 2 workers: a real accuracy bar. */
@Tag("spark")
@Timeout(240)
class FashionMnistEstimatorTest {
    static Dataset<Row> frame(NdArray images, NdArray labels, int partitions) {
        int n = images.length();
        float[] x = images.toFloatArray();
        int d = x.length / n;
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Float[] f = new Float[d];
            for (int j = 0; j < d; j++) {
                f[j] = x[i * d + j];
            }
            rows.add(RowFactory.create(f, (int) labels.getDouble(i)));
        }
        return TestSpark.frame(rows, TestSpark.FLOATS, partitions);
    }

    @Test
    void mlpOnTwoWorkersLearnsFashionMnist() throws Exception {
        Assertions.assertTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "Fashion-MNIST not found: apt-get install dataset-fashion-mnist");
        FashionMnist.Data d = FashionMnist.loadData(FashionMnist.DEFAULT_DIR, 12000, 2000);
        Dataset<Row> train = frame(FashionMnist.scaled(d.xTrain()), d.yTrain(), 2).cache();
        Dataset<Row> test = frame(FashionMnist.scaled(d.xTest()), d.yTest(), 2).cache();

        RandomSeeds.setRandomSeed(42);
        Sequential mlp = new Sequential(new Input(28, 28), new Flatten(), new Dense(256, "relu"),
                new Dense(128, "relu"), new Dense(10));
        mlp.compile(new Adam(1e-3), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                List.of("accuracy"));
        KerasModel fitted = new KerasEstimator().setModel(mlp).setNumWorkers(2).setBatchSize(64).setEpochs(3)
                .setValidationFraction(0.1).setVerbose(1).fit(train);

        KerasTrainingSummary s = fitted.summary();
        assertTrue(s.weightsInSync(), s.toString());
        assertEquals(3, s.history().history().get("loss").size());
        assertTrue(s.history().history().containsKey("val_accuracy"), s.history().toString());
        assertTrue(s.history().last("loss") < s.history().history().get("loss").get(0));
        System.out.println("summary: " + s);

        long correct = fitted.transform(test).filter("prediction = label").count();
        double accuracy = correct / (double) test.count();
        System.out.println("test accuracy " + accuracy);
        assertTrue(accuracy >= 0.80, "test accuracy " + accuracy);
        mlp.close();
    }
}
