package dev.morse.nn;

import java.util.Locale;

/** Output losses: MSE is the mean over all entries, cross-entropy the mean over examples. */
public enum Loss {
    MSE,
    CROSS_ENTROPY;

    public static Loss parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        switch (k) {
            case "mse": return MSE;
            case "cross_entropy": case "ce": case "crossentropy": return CROSS_ENTROPY;
            default: throw new IllegalArgumentException("unknown loss '" + s + "' (expected mse or cross-entropy)");
        }
    }
}
