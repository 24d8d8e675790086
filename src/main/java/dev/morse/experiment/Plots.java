package dev.morse.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Plots other commands draw outside a results directory. */
public final class Plots {
    private Plots() {
    }

    /** One density curve {t, φ(t)} on a log axis with −δ marked, to a PNG. */
    public static void density(Path file, String title, double[][] curve, double delta) throws IOException {
        Path abs = file.toAbsolutePath();
        if (abs.getParent() != null) {
            java.nio.file.Files.createDirectories(abs.getParent());
        }
        SafePlot.save(IndexReport.densityChart(title, List.of("density"), java.util.Collections.singletonList(curve), delta), abs);
    }
}
