package io.sparkkeras.callbacks;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link History} as a PNG: one panel with the losses ({@code loss}, {@code val_loss}, any key containing
 * {@code "loss"}) per epoch, and, when there are other metrics, a second panel below with them. Rendered with
 * XChart off-screen, so it works with no display ({@code java.awt.headless} is set to {@code true} unless the
 * application chose otherwise).
 */
final class HistoryPlot {
    private static final int WIDTH = 800;
    private static final int PANEL_HEIGHT = 400;

    private HistoryPlot() {
    }

    static void write(History h, Path png) throws IOException {
        if (h.epoch().isEmpty()) {
            throw new IllegalStateException("History is empty: nothing to plot. Call fit first.");
        }
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Map<String, List<Double>> epochs = new LinkedHashMap<>();
        for (String k : h.history().keySet()) {
            List<Double> xs = new ArrayList<>();
            for (int e : h.epochsOf(k)) {
                xs.add((double) (e + 1));
            }
            epochs.put(k, xs);
        }
        Map<String, List<Double>> losses = new LinkedHashMap<>();
        Map<String, List<Double>> others = new LinkedHashMap<>();
        for (Map.Entry<String, List<Double>> e : h.history().entrySet()) {
            (e.getKey().contains("loss") ? losses : others).put(e.getKey(), e.getValue());
        }
        List<BufferedImage> panels = new ArrayList<>();
        if (!losses.isEmpty()) {
            panels.add(BitmapEncoder.getBufferedImage(chart("Loss", "loss", epochs, losses)));
        }
        if (!others.isEmpty()) {
            panels.add(BitmapEncoder.getBufferedImage(chart("Metrics", "value", epochs, others)));
        }
        int height = 0;
        for (BufferedImage p : panels) {
            height += p.getHeight();
        }
        BufferedImage out = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            int y = 0;
            for (BufferedImage p : panels) {
                g.drawImage(p, 0, y, null);
                y += p.getHeight();
            }
        } finally {
            g.dispose();
        }
        Path dir = png.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        try (OutputStream os = Files.newOutputStream(png)) {
            if (!ImageIO.write(out, "png", os)) {
                throw new IOException("No PNG writer available to write " + png);
            }
        }
    }

    private static XYChart chart(String title, String yTitle, Map<String, List<Double>> epochs,
                                 Map<String, List<Double>> series) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(PANEL_HEIGHT).title(title).xAxisTitle("epoch")
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        for (Map.Entry<String, List<Double>> e : series.entrySet()) {
            // Each key at its own epochs: one added mid-training (learning_rate), or val_ under validationFreq.
            chart.addSeries(e.getKey(), epochs.get(e.getKey()), finite(e.getValue())).setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }

    /** NaN and infinities break the axis range: plot them as gaps. */
    private static List<Double> finite(List<Double> ys) {
        List<Double> r = new ArrayList<>(ys.size());
        for (Double v : ys) {
            r.add(v == null || v.isNaN() || v.isInfinite() ? Double.NaN : v);
        }
        return r;
    }
}
