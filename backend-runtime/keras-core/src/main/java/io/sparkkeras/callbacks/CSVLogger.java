package io.sparkkeras.callbacks;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Streams each epoch's logs to a CSV file. Keras's {@code CSVLogger}: the first row is {@code epoch} and the log
 * keys in sorted order (with {@code val_} columns added when there is no validation, filled with {@code NA}), then
 * one row per epoch; numbers are written as Python writes them ({@code 0.5}, {@code 1e-05}, {@code nan}) and rows end
 * with {@code \r\n}, as Python's {@code csv} module does.
 *
 * <pre>{@code
 * model.fit(x, y, new FitOptions().epochs(5).callbacks(new CSVLogger(Path.of("training.log"))));
 * }</pre>
 *
 * <p>Owns its file from {@code onTrainBegin} to {@code onTrainEnd}.
 */
public final class CSVLogger extends Callback {
    private final Path filename;
    private final String separator;
    private final boolean append;
    private BufferedWriter writer;
    private List<String> keys;
    private boolean appendHeader = true;

    /** @param filename the CSV file; overwritten */
    public CSVLogger(Path filename) {
        this(builder(filename));
    }

    private CSVLogger(Builder b) {
        if (b.separator == null || b.separator.isEmpty()) {
            throw new IllegalArgumentException("Received an invalid value for `separator`, expected a non-empty "
                    + "string. Received: separator=\"" + b.separator + "\"");
        }
        this.filename = b.filename;
        this.separator = b.separator;
        this.append = b.append;
    }

    public static Builder builder(Path filename) {
        return new Builder(filename);
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        try {
            appendHeader = true;
            if (append && Files.exists(filename)) {
                try (var r = Files.newBufferedReader(filename, StandardCharsets.UTF_8)) {
                    String first = r.readLine();
                    appendHeader = first == null || first.isEmpty();
                }
            }
            closeWriter();
            if (filename.getParent() != null) {
                Files.createDirectories(filename.getParent());
            }
            writer = append
                    ? Files.newBufferedWriter(filename, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND)
                    : Files.newBufferedWriter(filename, StandardCharsets.UTF_8);
            keys = null;
        } catch (IOException e) {
            throw new UncheckedIOException("CSVLogger cannot open " + filename, e);
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (writer == null) {
            onTrainBegin(Map.of());
        }
        try {
            if (keys == null) {
                keys = new ArrayList<>(new TreeSet<>(logs.keySet()));
                boolean hasVal = keys.stream().anyMatch(k -> k.startsWith("val_"));
                if (!hasVal && !keys.isEmpty()) {
                    List<String> val = new ArrayList<>();
                    for (String k : keys) {
                        val.add("val_" + k);
                    }
                    keys.addAll(val);
                }
                if (appendHeader) {
                    List<String> header = new ArrayList<>();
                    header.add("epoch");
                    header.addAll(keys);
                    writeRow(header);
                }
            }
            List<String> row = new ArrayList<>(keys.size() + 1);
            row.add(Integer.toString(epoch));
            for (String k : keys) {
                Double v = logs.get(k);
                row.add(v == null ? "NA" : pythonRepr(v));
            }
            writeRow(row);
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("CSVLogger cannot write " + filename, e);
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        closeWriter();
    }

    private void closeWriter() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException("CSVLogger cannot close " + filename, e);
            } finally {
                writer = null;
            }
        }
    }

    private void writeRow(List<String> cells) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                b.append(separator);
            }
            b.append(quote(cells.get(i)));
        }
        writer.write(b.append("\r\n").toString());
    }

    /** Python's {@code csv.QUOTE_MINIMAL}: quote cells holding the separator, a quote or a line break. */
    private String quote(String cell) {
        if (cell.contains(separator) || cell.contains("\"") || cell.contains("\n") || cell.contains("\r")) {
            return "\"" + cell.replace("\"", "\"\"") + "\"";
        }
        return cell;
    }

    /** Python's {@code repr(float)}: shortest digits, exponent form below 1e-4 and from 1e16. */
    static String pythonRepr(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0.0" : "0.0";
        }
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        int exponent = d.precision() - d.scale() - 1;
        if (exponent < -4 || exponent >= 16) {
            String digits = d.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            String sign = v < 0 ? "-" : "";
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = d.toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }

    /** Keras's CSVLogger arguments. */
    public static final class Builder {
        private final Path filename;
        private String separator = ",";
        private boolean append;

        private Builder(Path filename) {
            if (filename == null) {
                throw new IllegalArgumentException("Received an invalid value for `filename`, expected a path. "
                        + "Received: filename=null");
            }
            this.filename = filename;
        }

        /** Defaults to {@code ","}. */
        public Builder separator(String separator) {
            this.separator = separator;
            return this;
        }

        /** Append to an existing file instead of overwriting it. Defaults to {@code false}. */
        public Builder append(boolean append) {
            this.append = append;
            return this;
        }

        public CSVLogger build() {
            return new CSVLogger(this);
        }
    }
}
