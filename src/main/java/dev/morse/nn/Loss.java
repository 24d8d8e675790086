package dev.morse.nn;

import java.util.Locale;

/**
 * Output losses, each with a {@link Reduction} (mean by default):
 * <ul>
 *   <li>{@link #MSE}: Σ (Y − T)² over all m entries, divided by m (mean) or not (sum);</li>
 *   <li>{@link #CROSS_ENTROPY}: softmax cross-entropy against integer labels, Σᵢ (lse(zᵢ) − z_{i,yᵢ})
 *       over the r examples, divided by r (mean) or not;</li>
 *   <li>{@link #BCE_WITH_LOGITS}: binary cross-entropy of logits z against targets t ∈ [0, 1],
 *       entry by entry −t·log σ(z) − (1 − t)·log(1 − σ(z)) = max(z, 0) − z·t + log1p(e^{−|z|})
 *       (= softplus(z) − z·t, the stable form), over all m entries, divided by m (mean) or not.</li>
 * </ul>
 */
public enum Loss {
    MSE,
    CROSS_ENTROPY,
    BCE_WITH_LOGITS;

    /** The name in specs: "mse", "cross-entropy", "bce". */
    public String specName() {
        switch (this) {
            case MSE: return "mse";
            case CROSS_ENTROPY: return "cross-entropy";
            default: return "bce";
        }
    }

    public static Loss parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        switch (k) {
            case "mse": return MSE;
            case "cross_entropy": case "ce": case "crossentropy": return CROSS_ENTROPY;
            case "bce": case "bce_with_logits": case "binary_cross_entropy": return BCE_WITH_LOGITS;
            default: throw new IllegalArgumentException("unknown loss '" + s + "' (expected mse, cross-entropy or bce)");
        }
    }

    /** How a loss sums its terms: divided by their count (mean, the default) or not (sum). */
    public enum Reduction {
        MEAN,
        SUM;

        public static Reduction parse(String s) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "mean": return MEAN;
                case "sum": return SUM;
                default: throw new IllegalArgumentException("unknown reduction '" + s + "' (expected mean or sum)");
            }
        }
    }
}
