package dev.morse.experiment;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/**
 * Plotting that no number can crash: series go through {@link #addSeries}, which leaves out
 * points with a NaN or ±Inf coordinate and, on a logarithmic y axis, draws values ≤ 0 at a
 * floor; each chart's title then says how many points were left out or clipped, and the
 * report collects the same counts ({@link #notes()}) for summary.md. Files are written to a
 * temporary name and renamed; a report first removes temporaries a killed one left behind.
 */
final class SafePlot {
    /** Where a logarithmic axis draws zeros and negative values. */
    static final double LOG_FLOOR = 1e-40;
    /** Temporary files are named tmp-NAME.png beside their target. */
    static final String TMP = "tmp-";

    /** Points left out or clipped in one chart. */
    private static final class Count {
        int nan;
        int infinite;
        int clipped;
    }

    private static final ThreadLocal<Map<XYChart, Count>> COUNTS = ThreadLocal.withInitial(IdentityHashMap::new);
    private static final ThreadLocal<Map<String, String>> NOTES = ThreadLocal.withInitial(LinkedHashMap::new);

    private SafePlot() {
    }

    /** Starts a report: forgets the notes of the previous one. */
    static void begin() {
        COUNTS.get().clear();
        NOTES.get().clear();
    }

    /** "plot: what was left out", one per plot with any, since {@link #begin()}. */
    static List<String> notes() {
        List<String> out = new ArrayList<>();
        NOTES.get().forEach((k, v) -> out.add(k + ": " + v));
        return out;
    }

    /**
     * Adds the finite points of (x, y) as a series named {@code name} (made unique if the chart
     * already has one of that name). On a log y axis values ≤ 0 are drawn at {@link #LOG_FLOOR}.
     */
    static XYSeries addSeries(XYChart c, String name, double[] x, double[] y) {
        boolean logY = c.getStyler().isYAxisLogarithmic();
        Count k = COUNTS.get().computeIfAbsent(c, z -> new Count());
        int m = Math.min(x.length, y.length);
        double[] fx = new double[m];
        double[] fy = new double[m];
        int j = 0;
        for (int i = 0; i < m; i++) {
            double xi = x[i];
            double yi = y[i];
            if (Double.isNaN(xi) || Double.isNaN(yi)) {
                k.nan++; // no value (e.g. r where no Newton direction was computed)
                continue;
            }
            if (Double.isInfinite(xi) || Double.isInfinite(yi)) {
                k.infinite++;
                continue;
            }
            if (logY && yi <= 0) {
                if (yi < 0) {
                    k.clipped++;
                }
                yi = LOG_FLOOR;
            }
            fx[j] = xi;
            fy[j] = yi;
            j++;
        }
        if (j == 0) { // XChart needs a point; an invisible NaN keeps the series (and its legend entry)
            fx = new double[] {Double.NaN};
            fy = new double[] {Double.NaN};
            j = 1;
        }
        String unique = name;
        for (int s = 2; c.getSeriesMap().containsKey(unique); s++) {
            unique = name + " (" + s + ")";
        }
        return c.addSeries(unique, java.util.Arrays.copyOf(fx, j), java.util.Arrays.copyOf(fy, j));
    }

    /** The note for a chart's title ("" when every point was drawn as it is). */
    private static String note(XYChart c) {
        Count k = COUNTS.get().get(c);
        if (k == null || k.nan + k.infinite + k.clipped == 0) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        if (k.infinite > 0) {
            sb.append(k.infinite).append(k.infinite == 1 ? " point" : " points").append(" at ±Inf left out");
        }
        if (k.nan > 0) {
            sb.append(sb.length() > 0 ? "; " : "").append(k.nan).append(k.nan == 1 ? " point" : " points")
                    .append(" without a value (NaN) left out");
        }
        if (k.clipped > 0) {
            sb.append(sb.length() > 0 ? "; " : "").append(k.clipped).append(k.clipped == 1 ? " value" : " values")
                    .append(" < 0 drawn at ").append(LOG_FLOOR);
        }
        return sb.toString();
    }

    /** Renders a chart (its title carrying the note of what was left out), for panels. */
    static BufferedImage image(XYChart c, String plotName) {
        String n = note(c);
        if (!n.isEmpty()) {
            c.setTitle(c.getTitle() + " [" + n + "]");
            NOTES.get().merge(plotName, n, (a, b) -> a + "; " + b);
        }
        return BitmapEncoder.getBufferedImage(c);
    }

    /** Writes a chart as PNG through a temporary file and a rename. */
    static void save(XYChart c, Path file) throws IOException {
        write(image(c, file.getFileName().toString()), file);
    }

    /** Writes an image as PNG through a temporary file and a rename; the temporary never outlives a failure. */
    static void write(BufferedImage img, Path file) throws IOException {
        Path tmp = file.resolveSibling(TMP + file.getFileName());
        try {
            Outputs.beforeWrite(file);
            if (!javax.imageio.ImageIO.write(img, "png", tmp.toFile())) {
                throw new IOException("no PNG writer");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** One plot of a report, which may fail without stopping the others. */
    @FunctionalInterface
    interface Job {
        void draw() throws IOException;
    }

    /** Draws one plot; a failure is added to {@code failed} as "plot: cause" instead of ending the report. */
    static void guard(List<String> failed, String plot, Job job) {
        try {
            job.draw();
        } catch (IOException | RuntimeException e) {
            failed.add("plot " + plot + " failed: " + Outputs.cause(e));
        }
    }

    /** The summary.md section on what the plots left out and which plots failed ("" when none). */
    static String section(List<String> failed) {
        List<String> notes = notes();
        if (notes.isEmpty() && failed.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("\n## Notes on the plots\n\n");
        for (String n : notes) {
            sb.append("- ").append(n).append('\n');
        }
        for (String f : failed) {
            sb.append("- ").append(f).append(" (the records are untouched; `morse report` draws it again)\n");
        }
        return sb.toString();
    }

    /** Removes tmp-*.png files a killed report left in {@code plots}. */
    static void removeStaleTemporaries(Path plots) throws IOException {
        if (!Files.isDirectory(plots)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(plots, TMP + "*")) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
            }
        }
    }
}
