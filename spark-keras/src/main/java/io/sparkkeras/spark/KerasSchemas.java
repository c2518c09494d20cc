package io.sparkkeras.spark;

import io.sparkkeras.backend.DType;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.data.ColumnSpec;
import io.sparkkeras.data.PartitionReader;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;

/**
 * Schema checks and column specs shared by {@link KerasEstimator} and {@link KerasModel}: which columns hold the
 * features (one {@code array<float>}, {@code array<double>} or ML {@code Vector} column, or several numeric columns),
 * which the label, and the output columns a transform adds.
 */
final class KerasSchemas {
    private KerasSchemas() {
    }

    /** The feature columns: {@code featuresCols} when set, else {@code featuresCol}. */
    static String[] featureColumns(String featuresCol, String[] featuresCols) {
        return featuresCols != null && featuresCols.length > 0 ? featuresCols : new String[] {featuresCol};
    }

    /** {@link #validate(StructType, String[], String, DType, String, Shape)} without sample weights. */
    static ColumnSpec validate(StructType schema, String[] features, String labelCol, DType labelType,
                               Shape featureShape) {
        return validate(schema, features, labelCol, labelType, "", featureShape);
    }

    /**
     * Checks the feature columns (and the label when {@code labelCol} is not null, the sample weights when
     * {@code weightCol} is not empty) against {@code schema}.
     *
     * @return the column spec the partition readers use
     * @throws IllegalArgumentException naming the column, the expected and the actual type, and the params involved
     */
    static ColumnSpec validate(StructType schema, String[] features, String labelCol, DType labelType,
                               String weightCol, Shape featureShape) {
        ColumnSpec spec = ColumnSpec.features(features);
        if (labelCol != null) {
            spec.label(labelCol).labelType(labelType);
        }
        if (!weightCol.isEmpty()) {
            if (!Arrays.asList(schema.fieldNames()).contains(weightCol)) {
                throw new IllegalArgumentException("Column `" + weightCol + "` (`weightCol`) does not exist, expected "
                        + "a numeric column of sample weights, or weightCol \"\" for none. Columns: "
                        + Arrays.toString(schema.fieldNames()));
            }
            spec.sampleWeight(weightCol);
        }
        if (featureShape != null && features.length == 1) {
            spec.featureSize(Math.toIntExact(featureShape.size()));
        }
        try {
            PartitionReader.validateSchema(schema, spec);
        } catch (IllegalArgumentException e) {
            String how = features.length > 1
                    ? "The features come from the numeric columns " + Arrays.toString(features) + " (`featuresCols`)."
                    : "The features come from the column `" + features[0] + "` (`featuresCol`; set `featuresCols` "
                    + "to use several numeric columns instead).";
            throw new IllegalArgumentException(e.getMessage() + ". " + how + " Schema: " + schema.simpleString(), e);
        }
        if (features.length > 1 && featureShape != null && featureShape.size() != features.length) {
            throw new IllegalArgumentException("Received " + features.length + " feature columns "
                    + Arrays.toString(features) + " (`featuresCols`), expected " + featureShape.size()
                    + ", the size of the model's input shape " + featureShape);
        }
        return spec;
    }

    /**
     * {@code schema} plus the output columns, in Spark ML's order: rawPrediction and probability (ML Vectors), then
     * prediction (double). Empty names are skipped. {@code nullable} for {@code handleInvalid = "keep"}, whose bad
     * rows get nulls.
     *
     * @throws IllegalArgumentException if a name is taken or two outputs share one
     */
    static StructType withOutputs(StructType schema, String rawPredictionCol, String probabilityCol,
                                  String predictionCol, boolean nullable) {
        String[][] outputs = {{rawPredictionCol, "rawPredictionCol"}, {probabilityCol, "probabilityCol"},
                {predictionCol, "predictionCol"}};
        StructType out = schema;
        for (int i = 0; i < outputs.length; i++) {
            String name = outputs[i][0];
            if (name.isEmpty()) {
                continue;
            }
            requireAbsent(schema, name, outputs[i][1]);
            for (int j = 0; j < i; j++) {
                if (name.equals(outputs[j][0])) {
                    throw new IllegalArgumentException("Received the same name for `" + outputs[j][1] + "` and `"
                            + outputs[i][1] + "`, expected a different column for each output. Received: " + name);
                }
            }
            out = out.add(new StructField(name, i < 2 ? SQLDataTypes.VectorType() : DataTypes.DoubleType, nullable,
                    org.apache.spark.sql.types.Metadata.empty()));
        }
        return out;
    }

    private static void requireAbsent(StructType schema, String column, String param) {
        if (Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException("Output column `" + column + "` (`" + param + "`) already exists in "
                    + "the DataFrame, expected a new column name. Set " + param + " to another name, or to \"\" to "
                    + "skip this output. Columns: " + Arrays.toString(schema.fieldNames()));
        }
    }
}
