package dev.morse.krylov;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;

/**
 * The symmetric Lanczos process with full reorthogonalization (Golub &amp; Van Loan, Alg 10.1.1
 * with classical Gram-Schmidt applied twice against the whole stored basis), on {@link Backend}
 * operations only: the operator's apply, dot/axpy/scal/nrm2, and two gemv per pass for the
 * reorthogonalization against the basis, which is one row-major array of (locked + steps)
 * rows of length N. The CUDA backend runs it unchanged.
 *
 * <p>After m steps from q₁ = b/‖b‖: A·Q_m = Q_m·T_m + β_m·q_{m+1}·e_mᵀ, T_m = tridiag(β, α, β).
 * With T_m = YΘYᵀ the Ritz pairs are (θ_j, Q_m·y_j) with residual ‖A·Q_m y_j − θ_j Q_m y_j‖ =
 * |β_m·y_{m,j}| (exact arithmetic; with full reorthogonalization it holds to rounding).
 *
 * <p><b>Locked vectors.</b> Orthonormal vectors stored ahead of the Lanczos basis (converged
 * eigenvectors) are projected out of the start and of every new vector, so the process runs on
 * the deflated operator (I − PPᵀ)A(I − PPᵀ) restricted to span(P)^⊥ (Saad, Numerical Methods for
 * Large Eigenvalue Problems, §4.2 "locking").
 *
 * <p>The workspace (basis, work vector, coefficient vector, host α and β) is allocated once;
 * {@link #iterate} allocates nothing. {@link #result} builds the immutable {@link Result} and
 * eigen-decomposes T_m on the host. Ritz vectors are valid until the next {@link #iterate}.
 */
public final class Lanczos implements AutoCloseable {
    /**
     * β_j ≤ BREAKDOWN·max_i(|α_i|, β_i) is an invariant subspace: the Krylov space is exhausted and
     * the Ritz values are eigenvalues of A (restricted to the start vector's spectral support).
     */
    public static final double BREAKDOWN = 1e-12;

    private final Backend be;
    private final int n;
    private final int capacity;
    private final DArray basis;
    private final DArray w;
    private final DArray h;
    private final double[] alpha;
    private final double[] beta;
    private final double[] hostY;
    private int locked;
    private int steps;
    private boolean invariant;
    private double startNorm;
    private double scale;
    private long applies;
    private boolean closed;

    /**
     * @param capacity rows of the stored basis: locked vectors plus Lanczos steps (≤ N)
     */
    public Lanczos(Backend backend, int n, int capacity) {
        if (n < 1 || capacity < 1 || capacity > n) {
            throw new IllegalArgumentException("lanczos: need 1 ≤ capacity ≤ N, got capacity " + capacity + ", N " + n);
        }
        this.be = backend;
        this.n = n;
        this.capacity = capacity;
        this.basis = backend.alloc(Math.multiplyExact((long) capacity, n));
        this.w = backend.alloc(n);
        this.h = backend.alloc(capacity);
        this.alpha = new double[capacity];
        this.beta = new double[capacity];
        this.hostY = new double[capacity];
    }

    /** Bytes of device memory a workspace for N and capacity takes (basis, work vector, coefficients). */
    public static long bytes(int n, int capacity) {
        return 8L * ((long) capacity * n + n + capacity);
    }

    /** The most basis rows (≤ N) whose workspace fits in {@code budgetBytes}. */
    public static int capacityWithin(long budgetBytes, int n) {
        long rows = (budgetBytes / 8 - n) / (n + 1L);
        return (int) Math.max(0, Math.min(n, rows));
    }

    public int n() {
        return n;
    }

    public int capacity() {
        return capacity;
    }

    public Backend backend() {
        return be;
    }

    /** Number of locked vectors. */
    public int locked() {
        return locked;
    }

    /** Operator applications over this workspace's life. */
    public long applies() {
        return applies;
    }

    /** The stored basis: rows 0..locked−1 locked vectors, then the Lanczos vectors q_1..q_m. */
    public DArray basis() {
        return basis;
    }

    /** Forgets the locked vectors. */
    public void unlockAll() {
        live();
        locked = 0;
        steps = 0;
    }

    /**
     * Locks x[xo..xo+N) after orthonormalizing it against the locked vectors (twice); returns its
     * norm after projection (a tiny value means it was already in their span and was not locked).
     * Invalidates the current Lanczos basis.
     */
    public double lock(DArray x, long xo) {
        live();
        if (locked >= capacity - 1) {
            throw new IllegalStateException("lanczos: no room to lock another vector (capacity " + capacity + ")");
        }
        steps = 0;
        be.copy(n, x, xo, w, 0);
        double before = be.nrm2(n, w, 0);
        orthogonalize(locked);
        double nrm = be.nrm2(n, w, 0);
        if (!(nrm > 1e-10 * before)) {
            return 0.0;
        }
        be.scal(n, 1.0 / nrm, w, 0);
        be.copy(n, w, 0, basis, (long) locked * n);
        locked++;
        return nrm;
    }

    /**
     * Runs up to m steps from the start vector b (projected against the locked vectors); stops
     * early at an invariant subspace. Returns the number of steps taken (0 if the projected start
     * vanishes). Allocates nothing.
     */
    public int iterate(SymmetricOperator a, DArray b, long bo, int m) {
        live();
        if (a.n() != n || a.backend() != be) {
            throw new IllegalArgumentException("lanczos: operator of N = " + a.n() + " on " + a.backend().name()
                    + ", workspace for N = " + n + " on " + be.name());
        }
        if (m < 1 || locked + m > capacity) {
            throw new IllegalArgumentException("lanczos: " + m + " steps with " + locked + " locked vectors exceed the"
                    + " basis capacity " + capacity);
        }
        steps = 0;
        invariant = false;
        be.copy(n, b, bo, w, 0);
        orthogonalize(locked);
        startNorm = be.nrm2(n, w, 0);
        if (!(startNorm > 0)) {
            invariant = true;
            return 0;
        }
        be.scal(n, 1.0 / startNorm, w, 0);
        be.copy(n, w, 0, basis, (long) locked * n);
        scale = 0;
        return advance(a, m);
    }

    /**
     * Continues the last run by up to {@code more} steps (T_m grows to T_{m+more}; the basis
     * q_1..q_m is kept and q_{m+1} was stored when it fit), as if {@link #iterate} had been asked
     * for m + more steps. Returns the total step count. Nothing may have used the workspace since
     * the run (a {@link #result} or {@link #ritzVector} in between is fine).
     */
    public int extend(SymmetricOperator a, int more) {
        live();
        if (steps == 0 || invariant) {
            throw new IllegalStateException("lanczos: nothing to extend (" + (steps == 0 ? "no run" : "invariant subspace")
                    + ")");
        }
        if (more < 1 || locked + steps + more > capacity) {
            throw new IllegalArgumentException("lanczos: " + more + " more steps after " + steps + " with " + locked
                    + " locked vectors exceed the basis capacity " + capacity);
        }
        return advance(a, steps + more);
    }

    /** Steps j = steps..m−1 of Alg 10.1.1 with full reorthogonalization; q_{j+1} is stored whenever a row is free. */
    private int advance(SymmetricOperator a, int m) {
        long q0 = (long) locked * n;
        for (int j = steps; j < m; j++) {
            long qj = q0 + (long) j * n;
            a.apply(basis, qj, w, 0); // w ← A q_j
            applies++;
            double aj = be.dot(n, basis, qj, w, 0); // α_j = q_jᵀ A q_j
            be.axpy(n, -aj, basis, qj, w, 0);
            if (j > 0) {
                be.axpy(n, -beta[j - 1], basis, qj - n, w, 0); // w ← A q_j − α_j q_j − β_{j−1} q_{j−1}
            }
            orthogonalize(locked + j + 1); // full reorthogonalization, twice
            double bj = be.nrm2(n, w, 0);
            alpha[j] = aj;
            beta[j] = bj;
            steps = j + 1;
            scale = Math.max(scale, Math.max(Math.abs(aj), bj));
            if (!(bj > BREAKDOWN * scale) || locked + j + 1 >= n) {
                invariant = true;
                beta[j] = 0.0;
                break;
            }
            if (locked + j + 1 < capacity) {
                be.copy(n, w, 0, basis, qj + n);
                be.scal(n, 1.0 / bj, basis, qj + n); // q_{j+1} = w / β_j (kept for an extension)
            }
        }
        return steps;
    }

    /** w ← (I − Q Qᵀ)² w for the first rows of the basis (classical Gram-Schmidt, twice is enough). */
    private void orthogonalize(int rows) {
        if (rows == 0) {
            return;
        }
        for (int pass = 0; pass < 2; pass++) {
            be.gemv(false, rows, n, 1.0, basis, 0, n, w, 0, 0.0, h, 0);
            be.gemv(true, rows, n, -1.0, basis, 0, n, h, 0, 1.0, w, 0);
        }
    }

    /**
     * One run's tridiagonal matrix and Ritz pairs.
     *
     * @param alpha     α_1..α_m
     * @param beta      β_1..β_m (β_m couples to the next, unstored vector; 0 at an invariant subspace)
     * @param ritz      T_m's eigen-decomposition (null when m = 0)
     * @param invariant the run ended in an invariant subspace (its Ritz values are eigenvalues)
     * @param startNorm ‖b‖ after projection against the locked vectors
     * @param locked    locked vectors ahead of this run's basis
     */
    public record Result(int steps, double[] alpha, double[] beta, Tridiagonal ritz, boolean invariant,
                         double startNorm, int locked) {
        /** Ritz values θ_1 ≤ … ≤ θ_m. */
        public double[] ritzValues() {
            return ritz == null ? new double[0] : ritz.theta().clone();
        }

        public double ritzValue(int j) {
            return ritz.theta()[j];
        }

        /** Gauss quadrature weight of node θ_j for the start vector's spectral measure: y_{1j}². */
        public double weight(int j) {
            double y = ritz.y(0, j);
            return y * y;
        }

        /** |β_m·y_{m,j}|: the residual norm of Ritz pair j in exact arithmetic. */
        public double residualBound(int j) {
            return Math.abs(beta[steps - 1] * ritz.y(steps - 1, j));
        }
    }

    /** The result of the last {@link #iterate}: α, β and the eigen-decomposition of T_m (host). */
    public Result result() {
        live();
        Tridiagonal t = steps == 0 ? null : Tridiagonal.decompose(alpha, beta, steps);
        return new Result(steps, java.util.Arrays.copyOf(alpha, steps), java.util.Arrays.copyOf(beta, steps), t,
                invariant, startNorm, locked);
    }

    /**
     * out ← Q_m·y_j, the unit Ritz vector of θ_j of {@code r}, which must be the result of the last
     * {@link #iterate} (the basis is overwritten by the next one).
     */
    public void ritzVector(Result r, int j, DArray out, long oo) {
        live();
        if (r.steps() != steps || r.locked() != locked) {
            throw new IllegalStateException("lanczos: Ritz vector of a result that is not the last run's");
        }
        for (int i = 0; i < steps; i++) {
            hostY[i] = r.ritz().y(i, j);
        }
        be.upload(hostY, 0, h, 0, steps);
        be.gemv(true, steps, n, 1.0, basis, (long) locked * n, n, h, 0, 0.0, out, oo);
    }

    private void live() {
        if (closed) {
            throw new IllegalStateException("lanczos workspace used after close");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            basis.close();
            w.close();
            h.close();
        }
    }
}
