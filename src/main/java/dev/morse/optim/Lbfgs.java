package dev.morse.optim;

import dev.morse.ad.Objective;
import dev.morse.backend.DArray;

/**
 * Limited-memory BFGS (Nocedal & Wright Alg 7.4/7.5; the iteration is {@link QuasiNewton}'s):
 * the last m pairs (s, y) on the device, the two-loop recursion with H₀ = (sᵀy/yᵀy)·I, and a
 * strong-Wolfe line search. Pairs with yᵀs ≤ 1e-10‖s‖‖y‖ are not stored.
 */
public final class Lbfgs extends QuasiNewton {
    public record Options(StopCriteria stop, int memory, double c1, double c2, int maxEvaluations) {
        public Options {
            if (memory < 1) {
                throw new IllegalArgumentException("l-bfgs: memory must be ≥ 1, got " + memory);
            }
        }

        /** BFGS's line search and floor ({@link Bfgs.Options#of}) with {@code memory} pairs. */
        public static Options of(int iterations, int memory) {
            Bfgs.Options b = Bfgs.Options.of(iterations);
            return new Options(b.stop(), memory, b.c1(), b.c2(), b.maxEvaluations());
        }

        /** As {@link #of(int, int)} with 10 pairs. */
        public static Options of(int iterations) {
            return of(iterations, 10);
        }
    }

    private final int m;
    private final DArray sBlock;
    private final DArray yBlock;
    private final double[] rho;
    private final double[] alphas;
    private final DArray q;
    private int stored;
    private int newest;
    private double gamma;

    public Lbfgs(Objective objective, Options options) {
        super("l-bfgs", objective, options.stop(), options.c1(), options.c2(), options.maxEvaluations());
        this.m = options.memory();
        this.sBlock = be.alloc((long) m * n);
        this.yBlock = be.alloc((long) m * n);
        this.rho = new double[m];
        this.alphas = new double[m];
        this.q = be.alloc(n);
    }

    @Override
    void reset() {
        stored = 0;
        newest = -1;
        gamma = 1.0;
    }

    @Override
    void direction(DArray g, DArray d) {
        // two-loop recursion: d = −H g
        be.copy(n, g, 0, q, 0);
        for (int i = 0; i < stored; i++) {
            int j = Math.floorMod(newest - i, m);
            alphas[j] = rho[j] * be.dot(n, sBlock, (long) j * n, q, 0);
            be.axpy(n, -alphas[j], yBlock, (long) j * n, q, 0);
        }
        be.scal(n, gamma, q, 0);
        for (int i = stored - 1; i >= 0; i--) {
            int j = Math.floorMod(newest - i, m);
            double beta = rho[j] * be.dot(n, yBlock, (long) j * n, q, 0);
            be.axpy(n, alphas[j] - beta, sBlock, (long) j * n, q, 0);
        }
        be.axpby(n, -1.0, q, 0, 0.0, d, 0);
    }

    @Override
    DArray pairS() {
        return sBlock;
    }

    @Override
    DArray pairY() {
        return yBlock;
    }

    /** The slot after the newest (the oldest, once all m are stored). */
    @Override
    long pairOffset() {
        return (long) ((newest + 1) % m) * n;
    }

    @Override
    void update(double sy, double yy) {
        newest = (newest + 1) % m;
        rho[newest] = 1.0 / sy;
        stored = Math.min(stored + 1, m);
        gamma = sy / yy;
    }

    @Override
    public void close() {
        super.close();
        for (DArray a : new DArray[] {sBlock, yBlock, q}) {
            a.close();
        }
    }
}
