package io.sparkkeras.spark;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.types.StructType;

import java.util.Iterator;
import java.util.function.Function;

/**
 * {@link KerasModel#transform} of a streaming DataFrame. A streaming plan has no RDD to map (Spark runs it only
 * through {@code writeStream}), so the rows go through a typed {@code mapPartitions}: each is converted to Spark's
 * internal form, scored by the same {@link PredictPartition} as a batch transform, and converted back. The two
 * conversions cost a copy per row, which a batch transform does not pay.
 */
final class StreamingPredict implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final PredictPartition predict;
    private final StructType in;
    private final StructType out;

    StreamingPredict(PredictPartition predict, StructType in, StructType out) {
        this.predict = predict;
        this.in = in;
        this.out = out;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        ExpressionEncoder.Serializer<Row> toInternal = ExpressionEncoder.apply(in).createSerializer();
        ExpressionEncoder<Row> outEncoder = ExpressionEncoder.apply(out);
        ExpressionEncoder.Deserializer<Row> toRow = outEncoder
                .resolveAndBind(outEncoder.resolveAndBind$default$1(), outEncoder.resolveAndBind$default$2())
                .createDeserializer();
        return map(predict.call(map(rows, toInternal::apply)), toRow::apply);
    }

    private static <A, B> Iterator<B> map(Iterator<A> in, Function<A, B> f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return in.hasNext();
            }

            @Override
            public B next() {
                return f.apply(in.next());
            }
        };
    }
}
