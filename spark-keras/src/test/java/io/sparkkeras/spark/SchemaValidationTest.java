package io.sparkkeras.spark;

import io.sparkkeras.backend.Backends;
import io.sparkkeras.layers.Concatenate;
import io.sparkkeras.layers.Dense;
import io.sparkkeras.layers.Input;
import io.sparkkeras.layers.KerasTensor;
import io.sparkkeras.models.Model;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.SGD;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** transformSchema checks columns and params before any job runs, with messages naming column and types. */
@Tag("spark")
@Timeout(60)
class SchemaValidationTest {
    private static KerasEstimator estimator() {
        Sequential m = new Sequential(new Input(4), new Dense(3));
        m.compile(new SGD(0.1), "sparse_categorical_crossentropy", List.of("accuracy"));
        return new KerasEstimator().setModel(m);
    }

    @Test
    void acceptsArraysVectorsAndNumericColumns() {
        StructType arrays = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType))
                .add("label", DataTypes.DoubleType);
        StructType out = estimator().transformSchema(arrays);
        assertEquals(List.of("features", "label", "rawPrediction", "probability", "prediction"),
                List.of(out.fieldNames()));
        StructType vectors = new StructType().add("features", SQLDataTypes.VectorType())
                .add("label", DataTypes.IntegerType);
        estimator().transformSchema(vectors);
        StructType columns = new StructType().add("a", DataTypes.DoubleType).add("b", DataTypes.FloatType)
                .add("c", DataTypes.IntegerType).add("d", DataTypes.LongType).add("y", DataTypes.IntegerType);
        estimator().setFeaturesCols("a", "b", "c", "d").setLabelCol("y").transformSchema(columns);
    }

    @Test
    void badFeatureTypeNamesColumnAndTypes() {
        StructType s = new StructType().add("features", DataTypes.StringType).add("label", DataTypes.DoubleType);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> estimator().transformSchema(s));
        assertTrue(e.getMessage().contains("`features`"), e.getMessage());
        assertTrue(e.getMessage().contains("string"), e.getMessage());
        assertTrue(e.getMessage().contains("featuresCol"), e.getMessage());
    }

    @Test
    void badLabelTypeAndMissingColumn() {
        StructType s = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType))
                .add("label", DataTypes.StringType);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> estimator().transformSchema(s));
        assertTrue(e.getMessage().contains("`label`") && e.getMessage().contains("string"), e.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> estimator().setFeaturesCol("pixels").transformSchema(s));
        assertTrue(missing.getMessage().contains("pixels"), missing.getMessage());
    }

    @Test
    void wrongNumberOfFeatureColumnsAndExistingOutput() {
        StructType columns = new StructType().add("a", DataTypes.DoubleType).add("b", DataTypes.DoubleType)
                .add("label", DataTypes.IntegerType);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> estimator().setFeaturesCols("a", "b").transformSchema(columns));
        assertTrue(e.getMessage().contains("2 feature columns") && e.getMessage().contains("4"), e.getMessage());
        StructType clash = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType))
                .add("label", DataTypes.IntegerType).add("prediction", DataTypes.DoubleType);
        IllegalArgumentException out = assertThrows(IllegalArgumentException.class,
                () -> estimator().transformSchema(clash));
        assertTrue(out.getMessage().contains("`prediction`") && out.getMessage().contains("predictionCol"),
                out.getMessage());
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> estimator().setRawPredictionCol("scores").setProbabilityCol("scores").transformSchema(
                        new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType))
                                .add("label", DataTypes.IntegerType)));
        assertTrue(same.getMessage().contains("`rawPredictionCol` and `probabilityCol`")
                && same.getMessage().contains("scores"), same.getMessage());
    }

    @Test
    void aLossThatNeedsALabelPerOutputIsRefusedForAScalarLabelColumn() {
        Sequential m = new Sequential(new Input(4), new Dense(3, "softmax"));
        m.compile(new SGD(0.1), "categorical_crossentropy", List.of("accuracy"));
        StructType s = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType))
                .add("label", DataTypes.DoubleType);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new KerasEstimator().setModel(m).transformSchema(s));
        assertTrue(e.getMessage().contains("3 outputs per row and loss CategoricalCrossentropy")
                && e.getMessage().contains("`label` holds one number per row")
                && e.getMessage().contains("sparse_categorical_crossentropy"), e.getMessage());
        // The fix the message names passes; so does a one-output regression.
        new KerasEstimator().setModel(m).setLoss("sparse_categorical_crossentropy").transformSchema(s);
        Sequential regression = new Sequential(new Input(4), new Dense(1));
        regression.compile(new SGD(0.1), "mse", List.of());
        new KerasEstimator().setModel(regression).transformSchema(s);
    }

    @Test
    void paramsAreValidatedAndExplained() {
        KerasEstimator e = estimator();
        assertThrows(IllegalArgumentException.class, () -> e.setNumWorkers(0));
        assertThrows(IllegalArgumentException.class, () -> e.setValidationFraction(1.0));
        String explained = e.explainParams();
        assertTrue(explained.contains("numWorkers") && explained.contains("default: 1"), explained);
        assertTrue(explained.contains("batchSize") && explained.contains("default: 128"), explained);
        KerasEstimator copy = e.copy(new org.apache.spark.ml.param.ParamMap().put(e.epochs().w(3)));
        assertEquals(3, copy.getEpochs());
        assertEquals(10, e.getEpochs());
        assertEquals(e.uid(), copy.uid());
    }

    @Test
    @Tag("tensorflow")
    void theBackendComesFromTheDriversKerasConfiguration(@TempDir Path dir) throws Exception {
        boolean configured = System.getProperty("KERAS_BACKEND") != null || System.getenv("KERAS_BACKEND") != null
                || Files.exists(Path.of(System.getProperty("user.home"), ".keras", "keras.json"));
        if (!configured) {
            assertEquals("torch", new KerasEstimator().getBackend(), "nothing configured: torch");
        }
        TestSpark.get();   // saving and loading need a session
        new KerasEstimator().save(dir.resolve("unset").toString());
        new KerasEstimator().setBackend("torch").save(dir.resolve("set").toString());
        try (Backends.Selection s = Backends.use("tensorflow")) {
            KerasEstimator e = new KerasEstimator();
            assertEquals("tensorflow", e.getBackend());
            assertTrue(e.explainParams().contains("default: tensorflow"), e.explainParams());
            try (Sequential m = new Sequential(new Input(4), new Dense(3))) {
                assertEquals("tensorflow", KerasModel.of(m).getBackend());
            }
            // A loaded stage takes this driver's configuration, unless the backend was set when it was saved.
            assertEquals("tensorflow", KerasEstimator.load(dir.resolve("unset").toString()).getBackend());
            assertEquals("torch", KerasEstimator.load(dir.resolve("set").toString()).getBackend());
        }
        assertEquals("tensorflow", new KerasEstimator().setBackend("tensorflow").getBackend());
    }

    @Test
    void aMisspeltBackendFailsOnTheDriverNamingTheChoices() {
        IllegalArgumentException set = assertThrows(IllegalArgumentException.class,
                () -> new KerasEstimator().setBackend("tensorflw"));
        assertTrue(set.getMessage().contains("backend=\"tensorflw\"") && set.getMessage().contains("tensorflow")
                && set.getMessage().contains("torch"), set.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KerasModel.of(new Sequential(new Input(4), new Dense(3)))
                .setBackend("jax"));
        assertEquals("PyTorch", estimator().setBackend("PyTorch").getBackend(), "Keras's alias, in any case");

        // A bad name from the driver's Keras configuration (KERAS_BACKEND) becomes the default: it fails in
        // transformSchema, before any Spark job, and says where it came from.
        StructType s = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType))
                .add("label", DataTypes.DoubleType);
        KerasEstimator configured = estimator();
        configured.setDefault(configured.backend(), "tensorflw");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> configured.transformSchema(s));
        assertTrue(e.getMessage().contains("backend=\"tensorflw\"") && e.getMessage().contains("KERAS_BACKEND")
                && e.getMessage().contains("setBackend"), e.getMessage());
        KerasModel model = KerasModel.of(new Sequential(new Input(4), new Dense(3)));
        model.setDefault(model.backend(), "tensorflw");
        e = assertThrows(IllegalArgumentException.class, () -> model.transformSchema(s));
        assertTrue(e.getMessage().contains("KERAS_BACKEND"), e.getMessage());
    }

    @Test
    void noModelAndUncompiledModelFailClearly() {
        StructType s = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType))
                .add("label", DataTypes.IntegerType);
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> new KerasEstimator().transformSchema(s));
        assertTrue(none.getMessage().contains("setModel"), none.getMessage());
        Sequential raw = new Sequential(new Input(4), new Dense(3));
        IllegalArgumentException uncompiled = assertThrows(IllegalArgumentException.class,
                () -> new KerasEstimator().setModel(raw).transformSchema(s));
        assertTrue(uncompiled.getMessage().contains("optimizer"), uncompiled.getMessage());
        new KerasEstimator().setModel(raw).setOptimizer("sgd").setLoss("sparse_categorical_crossentropy")
                .transformSchema(s);
    }

    @Test
    void modelsWithSeveralInputsOrOutputsAreRefusedWhenSet() {
        KerasTensor a = Input.of(4);
        KerasTensor b = Input.of(2);
        Model twoInputs = new Model(List.of(a, b), List.of(new Dense(3).apply(new Concatenate().apply(a, b))),
                "two_inputs");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new KerasEstimator().setModel(twoInputs));
        assertTrue(e.getMessage().startsWith("Received a model with 2 inputs")
                && e.getMessage().contains("expected one") && e.getMessage().contains("two_inputs"), e.getMessage());
        Model twoOutputs = new Model(List.of(a), List.of(new Dense(3).apply(a), new Dense(1).apply(a)),
                "two_outputs");
        e = assertThrows(IllegalArgumentException.class, () -> KerasModel.of(twoOutputs));
        assertTrue(e.getMessage().startsWith("Received a model with 2 outputs, expected one"), e.getMessage());
    }
}
