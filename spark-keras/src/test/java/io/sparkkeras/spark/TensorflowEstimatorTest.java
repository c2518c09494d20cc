package io.sparkkeras.spark;

import io.sparkkeras.datasets.FashionMnist;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Flatten;
import io.sparkkeras.layers.Input;
import io.sparkkeras.losses.SparseCategoricalCrossentropy;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.utils.RandomSeeds;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The estimator on the TensorFlow backend: 2 workers train the reference MLP on a slice of Fashion-MNIST and the
 * fitted model scores the test slice, twice in one JVM (the second fit runs after the first's models are closed,
 * in the fresh graph the backend starts then).
 */
@Tag("spark")
@Tag("tensorflow")
@Timeout(240)
class TensorflowEstimatorTest {

    @Test
    void mlpOnTwoWorkersLearnsFashionMnistOnTensorflowTwice() throws Exception {
        FashionMnist.Data d = FashionMnist.loadData(FashionMnist.DEFAULT_DIR, 6000, 1000);
        Dataset<Row> train = FashionMnistEstimatorTest.frame(FashionMnist.scaled(d.xTrain()), d.yTrain(), 2).cache();
        Dataset<Row> test = FashionMnistEstimatorTest.frame(FashionMnist.scaled(d.xTest()), d.yTest(), 2).cache();
        for (int round = 1; round <= 2; round++) {
            RandomSeeds.setRandomSeed(42);
            try (Sequential mlp = new Sequential(new Input(28, 28), new Flatten(), new Dense(256, "relu"),
                    new Dense(128, "relu"), new Dense(10))) {
                mlp.compile(new Adam(1e-3), SparseCategoricalCrossentropy.builder().fromLogits(true).build(),
                        List.of("accuracy"));
                KerasModel fitted = new KerasEstimator().setModel(mlp).setBackend("tensorflow").setNumWorkers(2)
                        .setBatchSize(64).setEpochs(2).setVerbose(0).fit(train);

                KerasTrainingSummary s = fitted.summary();
                assertTrue(s.weightsInSync(), s.toString());
                assertEquals(2, s.history().history().get("loss").size());
                assertTrue(s.history().last("loss") < s.history().history().get("loss").get(0), s.toString());

                long correct = fitted.transform(test).filter("prediction = label").count();
                double accuracy = correct / (double) test.count();
                System.out.println("round " + round + ": test accuracy " + accuracy + " (tensorflow)");
                assertTrue(accuracy >= 0.75, "round " + round + ": test accuracy " + accuracy);
            }
        }
    }
}
