package dev.morse.optim;

import dev.morse.ad.Objective;
import dev.morse.backend.DArray;
import dev.morse.index.MorseIndex;

/**
 * BFGS with a dense inverse-Hessian approximation on the device and a strong-Wolfe line
 * search (Nocedal & Wright Alg 3.5-3.6; BFGS itself is their Alg 6.1; the iteration is
 * {@link QuasiNewton}'s): d = −H_k g, H_{k+1} = (I − ρsyᵀ)H_k(I − ρysᵀ) + ρssᵀ,
 * ρ = 1/yᵀs, written as two rank-one updates. H₀ = I, rescaled to (yᵀs/yᵀy)·I before the first
 * update (N&W Eq 6.20); an update with yᵀs ≤ 1e-10‖s‖‖y‖ is skipped, so H stays positive
 * definite: BFGS never follows negative curvature, which is why it avoids the saddle exact
 * Newton converges to (experiment E8).
 */
public final class Bfgs extends QuasiNewton {
    /**
     * @param c1, c2          Wolfe constants
     * @param maxEvaluations  merit evaluations per line search
     */
    public record Options(StopCriteria stop, double c1, double c2, int maxEvaluations) {
        /** c1 = 1e-4, c2 = 0.9, 40 evaluations per search; stop below ‖g‖² = {@link #GTOL}. */
        public static Options of(int iterations) {
            return new Options(new StopCriteria(iterations, GTOL), 1e-4, 0.9, 40);
        }
    }

    /** The default ‖g‖² floor of BFGS and L-BFGS. */
    public static final double GTOL = 1e-12;

    private final DArray hinv;
    private final DArray s;
    private final DArray y;
    private final DArray u;
    private final DArray e;
    /** No update yet since H = I: the next one rescales H₀ first. */
    private boolean first;

    public Bfgs(Objective objective, Options options) {
        super("bfgs", objective, options.stop(), options.c1(), options.c2(), options.maxEvaluations());
        this.hinv = be.alloc((long) n * n);
        this.s = be.alloc(n);
        this.y = be.alloc(n);
        this.u = be.alloc(n);
        this.e = be.alloc(n + 1L);
    }

    private void identity(double c) {
        be.fill((long) n * n, 0.0, hinv, 0);
        MorseIndex.addToDiagonal(be, n, hinv, 0, c, e);
    }

    @Override
    void reset() {
        identity(1.0);
        first = true;
    }

    @Override
    void direction(DArray g, DArray d) {
        be.gemv(false, n, n, -1.0, hinv, 0, n, g, 0, 0.0, d, 0);
    }

    @Override
    DArray pairS() {
        return s;
    }

    @Override
    DArray pairY() {
        return y;
    }

    @Override
    long pairOffset() {
        return 0;
    }

    @Override
    void update(double sy, double yy) {
        if (first) {
            identity(sy / yy);
            first = false;
        }
        // u = H y;  H += ((sᵀy + yᵀu)/(sᵀy)²) s sᵀ − (u sᵀ + s uᵀ)/sᵀy
        be.gemv(false, n, n, 1.0, hinv, 0, n, y, 0, 0.0, u, 0);
        final double yu = be.dot(n, y, 0, u, 0);
        rank1(s, s, (sy + yu) / (sy * sy));
        rank1(u, s, -1.0 / sy);
        rank1(s, u, -1.0 / sy);
    }

    /** H ← H + c·a bᵀ as a k = 1 gemm. */
    private void rank1(DArray a, DArray b, double c) {
        be.gemm(false, false, n, n, 1, c, a, 0, 1, b, 0, n, 1.0, hinv, 0, n);
    }

    @Override
    public void close() {
        super.close();
        for (DArray a : new DArray[] {hinv, s, y, u, e}) {
            a.close();
        }
    }
}
