package io.sparkkeras.spark;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.sql.SparkSession;
import scala.Option;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Persistence of our stages: Spark ML's metadata ({@code DefaultParamsWriter}: class, uid, params, Spark version)
 * in {@code path/metadata}, and the model bytes in {@code path/model/} on any Hadoop file system.
 */
final class StageIO {
    /** File name of the model under {@code path/model/}; versioned with the bytes' own format. */
    static final String MODEL_FILE = "model/model.keras";

    private StageIO() {
    }

    static void saveMetadata(Params stage, String path, SparkSession spark) {
        DefaultParamsWriter$.MODULE$.saveMetadata(stage, path, spark);
    }

    /** Reads the metadata, checks the class, and sets the saved params (and defaults) on {@code stage}. */
    static void loadParams(Params stage, String path, SparkSession spark) {
        DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, spark,
                stage.getClass().getName());
        metadata.getAndSetParams(stage, Option.empty());
    }

    static String uid(String path, SparkSession spark, String className) {
        return DefaultParamsReader$.MODULE$.loadMetadata(path, spark, className).uid();
    }

    static void writeBytes(SparkSession spark, String path, byte[] bytes) {
        Path p = new Path(path, MODEL_FILE);
        try {
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            try (FSDataOutputStream out = fs.create(p, true)) {
                out.write(bytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the model to " + p, e);
        }
    }

    /** The model bytes under {@code path}, or null if none were saved. */
    static byte[] readBytes(SparkSession spark, String path) {
        Path p = new Path(path, MODEL_FILE);
        try {
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(p)) {
                return null;
            }
            return readFully(fs, p);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the model from " + p, e);
        }
    }

    /** The bytes of any file on a Hadoop file system (a {@code modelPath}). */
    static byte[] readFile(SparkSession spark, String file) {
        Path p = new Path(file);
        try {
            return readFully(p.getFileSystem(spark.sparkContext().hadoopConfiguration()), p);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the model file " + p + " (`modelPath`)", e);
        }
    }

    private static byte[] readFully(FileSystem fs, Path p) throws IOException {
        byte[] b = new byte[Math.toIntExact(fs.getFileStatus(p).getLen())];
        try (FSDataInputStream in = fs.open(p)) {
            in.readFully(b);
        }
        return b;
    }
}
