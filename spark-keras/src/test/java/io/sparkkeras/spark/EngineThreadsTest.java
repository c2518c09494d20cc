package io.sparkkeras.spark;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Our {@code sparkkeras.*} settings come from the Spark conf too, as {@code spark.keras.*}: Spark refuses
 * {@code -Dsparkkeras...} in {@code spark.executor.extraJavaOptions} (it takes any {@code -Dspark} for a Spark option).
 */
class EngineThreadsTest {
    @Test
    void sparkKerasConfKeysBecomeOurSystemPropertiesUnlessTheJvmHasThem() {
        String key = ModelCache.MAX_MODELS_PROPERTY;
        String before = System.getProperty(key);
        System.clearProperty(key);
        try {
            assertEquals("spark.keras.modelCache.maxModels", EngineThreads.confKey(key));
            assertEquals("spark.keras.tensorflow.intra_op_threads",
                    EngineThreads.confKey(EngineThreads.TF_INTRA_OP_THREADS));
            SparkConf conf = new SparkConf(false).set("spark.keras.modelCache.maxModels", "7");
            EngineThreads.fromSparkConf(conf);
            assertEquals("7", System.getProperty(key));
            System.setProperty(key, "2");   // as -Dsparkkeras.modelCache.maxModels=2 would: the JVM's own wins
            EngineThreads.fromSparkConf(conf);
            assertEquals("2", System.getProperty(key));
        } finally {
            if (before == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, before);
            }
        }
    }
}
