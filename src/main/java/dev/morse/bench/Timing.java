package dev.morse.bench;

import java.util.Arrays;

/** Repeated wall-clock measurements of one operation: median, min, max. */
public record Timing(double medianS, double minS, double maxS, int reps) {

    /** Spread (max − min) as a fraction of the median. */
    public double spread() {
        return (maxS - minS) / medianS;
    }

    public static Timing of(double[] seconds) {
        double[] s = seconds.clone();
        Arrays.sort(s);
        int n = s.length;
        double med = n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
        return new Timing(med, s[0], s[n - 1], n);
    }

    /**
     * Times {@code op}: warm-up calls (at least two, and until a quarter of the budget has
     * passed, so the JIT has compiled the hot paths), then as many repetitions as fit in
     * {@code budgetS} (at least minReps, at most maxReps).
     */
    public static Timing measure(Runnable op, double budgetS, int minReps, int maxReps) {
        long start = System.nanoTime();
        double first = Double.MAX_VALUE;
        int warm = 0;
        while (warm < 2 || (System.nanoTime() - start) * 1e-9 < budgetS / 4 && warm < 10 * maxReps) {
            long t0 = System.nanoTime();
            op.run();
            first = Math.min(first, (System.nanoTime() - t0) * 1e-9);
            warm++;
        }
        int reps = (int) Math.max(minReps, Math.min(maxReps, Math.ceil(budgetS / Math.max(first, 1e-9))));
        double[] s = new double[reps];
        for (int i = 0; i < reps; i++) {
            long a = System.nanoTime();
            op.run();
            s[i] = (System.nanoTime() - a) * 1e-9;
        }
        return of(s);
    }
}
