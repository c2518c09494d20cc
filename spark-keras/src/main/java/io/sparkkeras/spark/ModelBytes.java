package io.sparkkeras.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkkeras.backend.Shape;
import io.sparkkeras.layers.Layer;
import io.sparkkeras.layers.Layers;
import io.sparkkeras.losses.Loss;
import io.sparkkeras.losses.Losses;
import io.sparkkeras.metrics.Metric;
import io.sparkkeras.models.Model;
import io.sparkkeras.models.Sequential;
import io.sparkkeras.optimizers.Adam;
import io.sparkkeras.optimizers.Optimizer;
import io.sparkkeras.optimizers.Optimizers;
import io.sparkkeras.optimizers.SGD;
import io.sparkkeras.utils.Configs;
import io.sparkkeras.utils.NdArray;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A model as bytes: how {@link KerasEstimator} ships a model to executors, checkpoints it, and how
 * {@link KerasModel} persists it. The one place that knows the byte format.
 *
 * <p>Interim format, version 1, until keras-core's {@code .keras} saving lands (then these bytes become the
 * {@code .keras} zip): magic {@code "SKM1"}, a JSON document (the Sequential config as Keras writes it, and the
 * compile config: optimizer and loss in Keras's serialized form, metric ids), then every weight as
 * {@code (rank, dims..., float32 values)}. Only {@link Sequential} models of built-in layers are supported by
 * version 1.
 */
final class ModelBytes {
    private static final int MAGIC = 0x534B4D31; // "SKM1"
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelBytes() {
    }

    /** The model's architecture, compile settings (if compiled) and weights. */
    static byte[] toBytes(Model model) {
        if (!(model instanceof Sequential seq)) {
            throw new IllegalArgumentException("Received an invalid value for `model`, expected a Sequential model "
                    + "(functional and subclassed models ship once .keras saving is available). Received: model="
                    + model.name() + " (" + model.className() + ")");
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format_version", 1);
        doc.put("class_name", seq.className());
        doc.put("config", seq.getConfig());
        if (model.isCompiled()) {
            doc.put("compile_config", compileConfig(model));
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            byte[] json = JSON.writeValueAsBytes(doc);
            out.writeInt(json.length);
            out.write(json);
            List<NdArray> weights = model.getWeights();
            out.writeInt(weights.size());
            for (NdArray w : weights) {
                long[] dims = w.shape().dims();
                out.writeInt(dims.length);
                for (long d : dims) {
                    out.writeLong(d);
                }
                float[] v = w.toFloatArray();
                out.writeInt(v.length);
                for (float f : v) {
                    out.writeFloat(f);
                }
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new model from {@link #toBytes}: built, weights set, compiled if it was. Owned by the caller. */
    @SuppressWarnings("unchecked")
    static Model fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int magic = in.readInt();
            if (magic != MAGIC) {
                throw new IllegalArgumentException("Not a Spark Keras model: expected magic SKM1, found 0x"
                        + Integer.toHexString(magic));
            }
            byte[] json = new byte[in.readInt()];
            in.readFully(json);
            Map<String, Object> doc = JSON.readValue(json, Map.class);
            int version = ((Number) doc.get("format_version")).intValue();
            if (version != 1) {
                throw new IllegalArgumentException("Unsupported model format version " + version
                        + "; this build reads version 1");
            }
            Map<String, Object> config = (Map<String, Object>) doc.get("config");
            List<Layer> layers = new ArrayList<>();
            for (Object o : (List<Object>) config.get("layers")) {
                Map<String, Object> ser = (Map<String, Object>) o;
                layers.add(Layers.fromConfig((String) ser.get("class_name"),
                        (Map<String, Object>) ser.get("config")));
            }
            Sequential model = new Sequential((String) config.get("name"), layers.toArray(new Layer[0]));
            int n = in.readInt();
            List<NdArray> weights = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int rank = in.readInt();
                int[] dims = new int[rank];
                for (int d = 0; d < rank; d++) {
                    dims[d] = Math.toIntExact(in.readLong());
                }
                float[] v = new float[in.readInt()];
                for (int j = 0; j < v.length; j++) {
                    v[j] = in.readFloat();
                }
                weights.add(NdArray.of(v, dims));
            }
            if (!weights.isEmpty()) {
                model.setWeights(weights);
            }
            Map<String, Object> compile = (Map<String, Object>) doc.get("compile_config");
            if (compile != null) {
                model.compile(optimizer((Map<String, Object>) compile.get("optimizer")),
                        Losses.deserialize(compile.get("loss")), (List<Object>) compile.get("metrics"));
            }
            return model;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read a model from " + bytes.length + " bytes", e);
        }
    }

    /** A checksum of the model's weights: equal on ranks holding identical weights. */
    static long weightsChecksum(Model model) {
        CRC32 crc = new CRC32();
        for (NdArray w : model.getWeights()) {
            for (float f : w.toFloatArray()) {
                int bits = Float.floatToRawIntBits(f);
                crc.update(bits);
                crc.update(bits >>> 8);
                crc.update(bits >>> 16);
                crc.update(bits >>> 24);
            }
        }
        return crc.getValue();
    }

    private static Map<String, Object> compileConfig(Model model) {
        Map<String, Object> c = new LinkedHashMap<>();
        Optimizer opt = model.optimizer();
        c.put("optimizer", Configs.serialized("keras.optimizers", opt.className(), opt.getConfig()));
        Loss loss = model.losses().get(0);
        c.put("loss", Configs.serialized("keras.losses", loss.className(), loss.getConfig()));
        List<Object> metrics = new ArrayList<>();
        for (Object m : model.metricSpecs()) {
            metrics.add(m instanceof Metric metric ? metric.name() : String.valueOf(m));
        }
        c.put("metrics", metrics);
        return c;
    }

    @SuppressWarnings("unchecked")
    private static Optimizer optimizer(Map<String, Object> ser) {
        String cls = (String) ser.get("class_name");
        Map<String, Object> config = (Map<String, Object>) ser.get("config");
        switch (cls) {
            case "Adam":
                return Adam.fromConfig(config);
            case "SGD":
                return SGD.fromConfig(config);
            default:
                Optimizer o = Optimizers.get(cls);
                if (config.get("learning_rate") instanceof Number lr) {
                    o.setLearningRate(lr.doubleValue());
                }
                return o;
        }
    }

    /** Bytes as a short description for logs: size and checksum. */
    static String describe(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return bytes.length + " bytes, crc32 " + Long.toHexString(crc.getValue());
    }

    static Shape inputShape(Model model) {
        List<Shape> shapes = model.inputShapes();
        if (shapes == null || shapes.isEmpty()) {
            throw new IllegalArgumentException("Received a model without a declared input shape, expected a model "
                    + "that starts with Input(...) so the feature shape is known. Received: model=" + model.name());
        }
        return shapes.get(0);
    }

    static String json(Object o) {
        try {
            return new String(JSON.writeValueAsBytes(o), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
