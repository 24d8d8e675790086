package dev.morse.index;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.krylov.Lanczos;
import dev.morse.krylov.SymmetricOperator;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Extreme eigenpairs of a symmetric operator by Lanczos with full reorthogonalization and
 * locking: λ_min, λ_max, and every eigenvalue below −δ (the negative-curvature directions)
 * with its unit eigenvector and measured residual ‖Hv − λv‖.
 *
 * <p>Rounds: a Lanczos run of m steps from a Rademacher start on the operator deflated by the
 * pairs found so far; its Ritz pairs below −δ whose measured residual is at most
 * {@code tol·‖H‖} are kept and locked. The search is <i>complete</i> when a round's smallest
 * Ritz value is ≥ −δ and converged (|β_m y_{m1}| ≤ tol·‖H‖): then no eigenvalue below −δ is
 * left in the deflated operator, as far as a converged Krylov run from a random start can
 * tell, and the count of kept pairs is the exact #{λ &lt; −δ} (each kept λ has
 * λ + residual &lt; −δ, so an eigenvalue lies below −δ within its residual). The tests check
 * the count against the inertia of H + δI.
 *
 * <p>With maxPairs = k the search keeps at most k pairs: the k most negative ones, since Lanczos
 * converges the extreme Ritz values first (a pair still unconverged in a round is passed over
 * and tried again in the next, deflated, one); a search stopped by k is not complete.
 *
 * <p>Workspace allocated once: the Lanczos basis of maxPairs + steps rows and a block of
 * maxPairs eigenvectors (≈ (2·maxPairs + steps)·N doubles).
 */
public final class Eigenpairs implements AutoCloseable {
    /** Converged: residual ≤ TOL·‖H‖ (‖H‖ estimated by max |Ritz value|). */
    public static final double TOL = 1e-6;
    public static final int DEFAULT_MAX_PAIRS = 32;
    public static final int DEFAULT_MAX_ROUNDS = 6;

    private final Backend be;
    private final int n;
    private final int steps;
    private final int maxPairs;
    private final Lanczos lz;
    private final DArray vectors;
    private final DArray start;
    private final DArray tmp;
    private final double[] host;

    /** One eigenpair: λ, its measured residual ‖Hv − λv‖, and the row of {@link #vectors()} holding v. */
    public record Pair(double lambda, double residual, int row) {
    }

    /**
     * @param complete    every eigenvalue below −threshold was found (see the class comment)
     * @param negative    the pairs below −threshold, ascending (rows of {@link #vectors()})
     * @param minEig      the smallest Ritz value seen (≥ λ_min), with its residual bound
     * @param maxEig      the largest Ritz value seen (≤ λ_max), with its residual bound
     * @param applies     operator applications (HVPs), residual checks included
     */
    public record Result(double threshold, boolean complete, List<Pair> negative, double minEig,
                         double minEigResidual, double maxEig, double maxEigResidual, int rounds, long applies) {
        public int count() {
            return negative.size();
        }
    }

    public Eigenpairs(Backend backend, int n, int steps, int maxPairs) {
        this(backend, n, steps, maxPairs, steps);
    }

    /**
     * @param rows Lanczos rows beside the locked ones (≥ steps): room for an adaptive SLQ run
     *             on {@link #lanczos} longer than the search's rounds
     */
    public Eigenpairs(Backend backend, int n, int steps, int maxPairs, int rows) {
        this.be = backend;
        this.n = n;
        this.steps = Math.min(steps, n);
        this.maxPairs = Math.max(0, Math.min(maxPairs, n - this.steps));
        int r = Math.max(this.steps, Math.min(rows, n - this.maxPairs));
        this.lz = new Lanczos(backend, n, this.maxPairs + r);
        this.vectors = backend.alloc((long) Math.max(1, this.maxPairs) * n);
        this.start = backend.alloc(n);
        this.tmp = backend.alloc(n);
        this.host = new double[n];
    }

    /** Device bytes for N, steps and maxPairs. */
    public static long bytes(int n, int steps, int maxPairs) {
        return Lanczos.bytes(n, maxPairs + steps) + 8L * ((long) Math.max(1, maxPairs) * n + 2L * n);
    }

    /** The Lanczos workspace (shared with {@link Slq} runs between eigenpair searches). */
    public Lanczos lanczos() {
        return lz;
    }

    /** Scratch of length N (free between calls). */
    DArray scratch() {
        return start;
    }

    /** The eigenvectors of the last result's pairs, one per row (maxPairs × N); valid until the next run. */
    public DArray vectors() {
        return vectors;
    }

    /** Fills the start vector with a normalized Rademacher vector of the given seed. */
    static void rademacher(Backend be, int n, long seed, double[] host, DArray out) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double s = 1.0 / Math.sqrt(n);
        for (int i = 0; i < n; i++) {
            host[i] = rnd.nextBoolean() ? s : -s;
        }
        be.upload(host, 0, out, 0, n);
    }

    /** Finds λ_min, λ_max and the eigenpairs below −threshold in at most maxRounds Lanczos runs. */
    public Result run(SymmetricOperator h, double threshold, int maxRounds, long seed) {
        lz.unlockAll();
        long applies0 = lz.applies();
        long extra = 0;
        List<Pair> found = new ArrayList<>();
        double minEig = Double.POSITIVE_INFINITY;
        double minRes = Double.NaN;
        double maxEig = Double.NEGATIVE_INFINITY;
        double maxRes = Double.NaN;
        boolean complete = false;
        int rounds = 0;
        double scale = 0;
        while (rounds < maxRounds) {
            rademacher(be, n, seed + rounds, host, start);
            int m = lz.iterate(h, start, 0, Math.min(steps, lz.capacity() - lz.locked()));
            rounds++;
            if (m == 0) {
                complete = true; // the locked vectors span everything
                break;
            }
            Lanczos.Result r = lz.result();
            double lo = r.ritzValue(0);
            double hi = r.ritzValue(m - 1);
            scale = Math.max(scale, Math.max(Math.abs(lo), Math.abs(hi)));
            if (hi > maxEig) {
                maxEig = hi;
                maxRes = r.residualBound(m - 1);
            }
            if (lo < minEig) {
                minEig = lo;
                minRes = r.residualBound(0);
            }
            double tol = TOL * scale;
            if (lo >= -threshold) {
                complete = r.invariant() || r.residualBound(0) <= tol;
                break;
            }
            int added = 0;
            boolean ambiguous = false;
            for (int j = 0; j < m && r.ritzValue(j) < -threshold; j++) {
                if (r.residualBound(j) > tol) {
                    ambiguous = true; // not converged yet: a later round (deflated) may converge it
                    continue;
                }
                if (found.size() + added >= maxPairs) {
                    ambiguous = true;
                    break;
                }
                int row = found.size() + added;
                long vo = (long) row * n;
                lz.ritzVector(r, j, vectors, vo);
                h.apply(vectors, vo, tmp, 0);
                extra++;
                double lam = r.ritzValue(j);
                be.axpy(n, -lam, vectors, vo, tmp, 0);
                double res = be.nrm2(n, tmp, 0);
                if (res > tol || lam + res >= -threshold) {
                    ambiguous = true;
                    continue;
                }
                found.add(new Pair(lam, res, row));
                added++;
            }
            if (added == 0 && found.size() >= maxPairs) {
                break;
            }
            for (int i = found.size() - added; i < found.size(); i++) {
                lz.lock(vectors, (long) found.get(i).row() * n);
            }
            if (added == 0 && !ambiguous) {
                break;
            }
            if (lz.locked() + 1 > lz.capacity() - 1) {
                break;
            }
        }
        found.sort((a, b) -> Double.compare(a.lambda(), b.lambda()));
        for (Pair p : found) {
            if (p.lambda() <= minEig) {
                minEig = p.lambda();
                minRes = p.residual();
            }
        }
        return new Result(threshold, complete, List.copyOf(found), minEig, minRes, maxEig, maxRes, rounds,
                lz.applies() - applies0 + extra);
    }

    @Override
    public void close() {
        lz.close();
        vectors.close();
        start.close();
        tmp.close();
    }
}
