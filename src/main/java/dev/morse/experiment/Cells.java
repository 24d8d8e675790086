package dev.morse.experiment;

import java.util.Locale;

/** Numbers in summary.md tables: a format for finite values, {@code nan}, {@code inf} and {@code -inf} otherwise. */
final class Cells {
    private Cells() {
    }

    static String num(String format, double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return String.format(Locale.ROOT, format, v);
    }
}
