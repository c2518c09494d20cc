package io.sparkkeras.models;

import io.sparkkeras.backend.Shape;
import io.sparkkeras.backend.Variable;
import io.sparkkeras.layers.KerasTensor;
import io.sparkkeras.layers.Layer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Keras 3's {@code model.summary()} table: layer (type), output shape, param count, then the totals. */
final class Summary {
    private static final int[] WIDTHS = {33, 24, 15};

    private Summary() {
    }

    static String of(Model m) {
        List<String[]> rows = new ArrayList<>();
        if (m instanceof Sequential s) {
            List<Shape> shapes = s.layerOutputShapes();
            List<Layer> layers = s.layers();
            for (int i = 0; i < layers.size(); i++) {
                Layer l = layers.get(i);
                rows.add(row(l, i < shapes.size() ? shapes.get(i).toString() : "?"));
            }
        } else if (m.isFunctional()) {
            for (Layer l : m.layers()) {
                rows.add(row(l, outputShapeOf(m, l)));
            }
        } else {
            for (Layer l : m.layers()) {
                rows.add(row(l, "?"));
            }
        }
        StringBuilder b = new StringBuilder();
        b.append("Model: \"").append(m.name()).append("\"\n");
        b.append(line('┏', '━', '┳', '┓'));
        b.append(cells(new String[] {"Layer (type)", "Output Shape", "Param #"}, '┃', true));
        b.append(line('┡', '━', '╇', '┩'));
        for (int i = 0; i < rows.size(); i++) {
            b.append(cells(rows.get(i), '│', false));
            b.append(i < rows.size() - 1 ? line('├', '─', '┼', '┤') : line('└', '─', '┴', '┘'));
        }
        if (rows.isEmpty()) {
            b.append(line('└', '─', '┴', '┘'));
        }
        long total = m.countParams();
        long trainable = 0;
        for (Variable v : m.trainableWeights()) {
            trainable += v.shape().size();
        }
        b.append(" Total params: ").append(count(total)).append('\n');
        b.append(" Trainable params: ").append(count(trainable)).append('\n');
        b.append(" Non-trainable params: ").append(count(total - trainable)).append('\n');
        return b.toString();
    }

    private static String outputShapeOf(Model m, Layer l) {
        for (KerasTensor t : m.outputs()) {
            if (t.node().layer() == l) {
                return t.shape().toString();
            }
        }
        return l.isBuilt() && l.buildInputShape() instanceof Shape s ? safeShape(l, s) : "?";
    }

    private static String safeShape(Layer l, Shape in) {
        try {
            return l.computeOutputShape(in).toString();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private static String[] row(Layer l, String shape) {
        return new String[] {l.name() + " (" + l.className() + ")", shape,
                String.format(Locale.ROOT, "%,d", l.countParams())};
    }

    private static String count(long n) {
        double bytes = n * 4.0;
        String unit;
        if (bytes >= 1 << 30) {
            unit = String.format(Locale.ROOT, "%.2f GB", bytes / (1 << 30));
        } else if (bytes >= 1 << 20) {
            unit = String.format(Locale.ROOT, "%.2f MB", bytes / (1 << 20));
        } else if (bytes >= 1 << 10) {
            unit = String.format(Locale.ROOT, "%.2f KB", bytes / (1 << 10));
        } else {
            unit = String.format(Locale.ROOT, "%.2f B", bytes);
        }
        return String.format(Locale.ROOT, "%,d (%s)", n, unit);
    }

    private static String line(char left, char fill, char mid, char right) {
        StringBuilder b = new StringBuilder().append(left);
        for (int i = 0; i < WIDTHS.length; i++) {
            b.append(String.valueOf(fill).repeat(WIDTHS[i]));
            b.append(i < WIDTHS.length - 1 ? mid : right);
        }
        return b.append('\n').toString();
    }

    private static String cells(String[] values, char sep, boolean header) {
        StringBuilder b = new StringBuilder().append(sep);
        for (int i = 0; i < values.length; i++) {
            String v = values[i];
            int w = WIDTHS[i] - 2;
            if (v.length() > w) {
                v = v.substring(0, w - 1) + "…";
            }
            boolean right = i == 2;
            b.append(' ').append(right ? pad(v, w, true) : pad(v, w, false)).append(' ').append(sep);
        }
        return b.append('\n').toString();
    }

    private static String pad(String s, int w, boolean right) {
        String p = " ".repeat(Math.max(0, w - s.length()));
        return right ? p + s : s + p;
    }
}
