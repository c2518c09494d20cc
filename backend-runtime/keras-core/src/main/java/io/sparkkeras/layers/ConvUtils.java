package io.sparkkeras.layers;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.utils.Configs;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Argument checks and output-length arithmetic shared by convolution and pooling layers. */
final class ConvUtils {
    private ConvUtils() {
    }

    static String padding(String padding) {
        String p = padding == null ? "valid" : padding.toLowerCase(Locale.ROOT);
        if (!List.of("valid", "same").contains(p)) {
            throw new IllegalArgumentException("Received an invalid value for `padding`, expected \"valid\" or "
                    + "\"same\". Received: padding=" + padding);
        }
        return p;
    }

    static int[] positive(String arg, int[] values, int rank) {
        if (values.length != rank) {
            throw new IllegalArgumentException("Received an invalid value for `" + arg + "`, expected a tuple of "
                    + rank + " integers. Received: " + arg + "=" + java.util.Arrays.toString(values));
        }
        for (int v : values) {
            if (v <= 0) {
                throw new IllegalArgumentException("Received an invalid value for `" + arg + "`, expected positive "
                        + "integers. Received: " + arg + "=" + java.util.Arrays.toString(values));
            }
        }
        return values.clone();
    }

    static int[] repeat(int v, int rank) {
        int[] r = new int[rank];
        java.util.Arrays.fill(r, v);
        return r;
    }

    /** Keras's {@code conv_output_length}: TensorFlow's rule for "valid" and "same". */
    static long outputLength(long in, int kernel, String padding, int stride, int dilation) {
        if (in == Shape.UNKNOWN) {
            return Shape.UNKNOWN;
        }
        long dilated = (long) (kernel - 1) * dilation + 1;
        if ("same".equals(padding)) {
            return (in + stride - 1) / stride;
        }
        return Math.max(0, (in - dilated) / stride + 1);
    }

    /** Output shape of an N-d channels_last convolution or pooling. */
    static Shape outputShape(Shape in, int[] kernel, int[] strides, String padding, int[] dilation, long channels) {
        int rank = kernel.length;
        if (in.rank() != rank + 2) {
            throw new IllegalArgumentException("Expected an input of rank " + (rank + 2) + " (batch, spatial..., "
                    + "channels); received shape " + in);
        }
        long[] out = new long[rank + 2];
        out[0] = in.get(0);
        for (int i = 0; i < rank; i++) {
            out[i + 1] = outputLength(in.get(i + 1), kernel[i], padding, strides[i], dilation[i]);
            if (out[i + 1] == 0) {
                throw new IllegalArgumentException("Computed output size would be negative or zero for spatial axis "
                        + i + ": input " + in + ", kernel " + java.util.Arrays.toString(kernel) + ", padding "
                        + padding + ", strides " + java.util.Arrays.toString(strides));
            }
        }
        out[rank + 1] = channels;
        return Shape.of(out);
    }

    /** Rejects configs with a data_format other than channels_last, the only one supported yet. */
    static void checkDataFormat(Map<String, Object> c) {
        String df = Configs.getString(c, "data_format", "channels_last");
        if (!"channels_last".equals(df)) {
            throw new IllegalArgumentException("Only data_format=\"channels_last\" is supported. Received: "
                    + "data_format=" + df + " in layer " + c.get("name"));
        }
    }
}
