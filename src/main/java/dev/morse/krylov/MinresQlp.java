package dev.morse.krylov;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import java.util.Arrays;

/**
 * MINRES-QLP: the minimum-length solution of a symmetric, possibly indefinite or singular
 * system (A − σI)x = b, or of the least-squares problem min ‖(A − σI)x − b‖ when the system is
 * incompatible (the pseudo-inverse solution).
 *
 * <p>After S.-C. T. Choi, C. C. Paige and M. A. Saunders, <i>MINRES-QLP: a Krylov subspace
 * method for indefinite or singular symmetric systems</i>, SIAM J. Sci. Comput. 33(4), 2011
 * (CPS11 below). Each iteration runs one step of the Lanczos process, updates the QR
 * factorization of the tridiagonal T̲ₖ by left reflections Qₖ and, on top of it, the LQ
 * factorization Rₖ = LₖPₖ by right reflections (the QLP decomposition). While the condition
 * estimate is below {@code trancond} the cheaper MINRES update of x is used; past it the
 * solver switches, once, to the QLP update (CPS11 §4: "transfer from MINRES to MINRES-QLP").
 * Stopping rules, flags and the reported norms follow the reference implementation; the
 * final relres and relAres are recomputed directly from x (two more operator applications).
 *
 * <p>Where we depart from the reference (v27), and why (the default exit,
 * {@link Exit#MINIMUM_LENGTH}; {@link Exit#REFERENCE} drops the first four departures and
 * returns what the authors' Python port of the reference returns, which the papers' Newton-MR
 * runs used):
 * <ul>
 *   <li>The stopping rules read only scalars, so they are decided before x moves. When the
 *       verdict is relAres_{k-1} ≤ rtol, x_{k-1} already solves the least-squares problem and
 *       the k-th direction is a near-null one; its coefficient u_k is dropped in the QLP basis
 *       (as exact arithmetic does when γ_k = 0). The reference instead keeps x_k, which carries
 *       a large spurious null-space component whenever γ_k is small but above eps (observed:
 *       ‖x‖ = 1.8e4 instead of 0.27 on a 40×40 singular system).</li>
 *   <li>x never passes maxxnorm: a u_k that would take it past is dropped and the solve stops
 *       with XNORM (as in the reference's first MATLAB version). Version 27 drops it only when
 *       the problem "looks like least squares" and otherwise either leaves x at x_{k-1} while
 *       the relres test, normalized by the untaken ‖x_k‖, reports a solution, or lets x grow.</li>
 *   <li>When μ_k is dropped, μ_{k-1} minimizes the residual of the last two rows of L_k instead
 *       of ignoring row k (identical when T̲_k is exactly singular, where row k vanishes). On a
 *       Hessian like the quartic's near its gradient-flat point the reference's truncated
 *       direction points uphill for ‖g‖²; this one is the well-determined part of the step.</li>
 *   <li>When u_k was dropped (SINGULAR, or XNORM from the maxxnorm guard), φ_k is not the
 *       residual of the returned x, so rnorm keeps its previous value; otherwise a truncated x
 *       could be reported as RELRES. A γ_k dropped as SINGULAR is left out of Acond.</li>
 *   <li>The final relres and relAres are recomputed from x (two operator applications), as
 *       the reference MATLAB code does.</li>
 * </ul>
 *
 * <p>Optional nonpositive-curvature detection follows Y. Liu and F. Roosta, <i>MINRES: from
 * negative curvature detection to monotonicity properties</i>, SIAM J. Optim. 32(4), 2022:
 * at iteration k, r_{k-1}ᵀ(A − σI)r_{k-1} = −φ²_{k-1} c_{k-1} γ̄_k, so c_{k-1}γ̄_k ≥ 0 certifies
 * a direction r_{k-1} of nonpositive curvature; the solve then stops with x = x_{k-1}
 * (x = b when k = 1) and the direction in {@link Workspace#npcDirection()}.
 *
 * <p>All vector work runs on the operator's backend through BLAS-1 calls; the workspace is
 * allocated once and a warm solve allocates nothing on the device.
 */
public final class MinresQlp {

    private static final double EPS = Math.ulp(1.0);
    /** CPS11 caps Acond at 0.1/eps whatever the user asks: beyond it nothing is resolvable. */
    private static final double ACOND_MACHINE_LIMIT = 0.1 / EPS;

    private MinresQlp() {
    }

    /** Why the solver stopped; codes are those of the reference implementation. */
    public enum Flag {
        B_EIGENVECTOR(-1, "beta2 = 0: b and x are eigenvectors of (A - shift*I)"),
        B_ZERO(0, "beta1 = 0 (b = 0) or Ab = 0: the exact solution is x = 0"),
        RELRES(1, "a solution to Ax = b found, relres <= rtol"),
        RELARES(2, "a least-squares solution of an incompatible system found, relAres <= rtol"),
        RELRES_EPS(3, "a solution to Ax = b found to machine precision"),
        RELARES_EPS(4, "a least-squares solution found to machine precision"),
        X_EIGENVECTOR(5, "x has converged to an eigenvector (||A|| ||x|| eps >= ||b||)"),
        XNORM(6, "xnorm exceeded maxxnorm"),
        ACOND(7, "Acond exceeded acondlim"),
        MAXIT(8, "the iteration limit maxit was reached"),
        SINGULAR(9, "the system appears exactly singular (|gamma_k| <= eps); no converged solution yet"),
        LANCZOS_END(10, "beta_{k+1} = 0: the Krylov subspace is invariant, x is final"),
        NONPOSITIVE_CURVATURE(11, "nonpositive curvature detected: r_{k-1}' A r_{k-1} <= 0");

        /** The reference implementation's flag value (10 and 11 are ours). */
        public final int code;
        public final String meaning;

        Flag(int code, String meaning) {
            this.code = code;
            this.meaning = meaning;
        }

        /** True when x solves the system or the least-squares problem to the tolerance asked. */
        public boolean converged() {
            return this == B_EIGENVECTOR || this == B_ZERO || this == RELRES || this == RELARES
                    || this == RELRES_EPS || this == RELARES_EPS;
        }
    }

    /**
     * What x the solver returns when it stops, in particular on a least-squares verdict
     * (flag 2, relAres_{k-1} ≤ rtol).
     */
    public enum Exit {
        /**
         * The minimum-length solution (this class's departures listed above): on flag 2 the k-th
         * coefficient μ_k is dropped, so x ≈ x_{k-1}, which already solves the least-squares
         * problem; a dropped μ_k (flags 6, 9) re-fits μ_{k-1}; |γ_k| ≤ eps counts as singular.
         */
        MINIMUM_LENGTH,
        /**
         * As the authors' Python port of the reference code (autocrit's {@code minresQLP.py}, which
         * the papers' experiments ran) computes it: x_k = x^{(2)}_{k-2} + μ_{k-1}w_{k-1} + μ_k w_k is
         * formed before the stopping tests and returned as is, so on flag 2 x carries the k-th,
         * near-null direction with its coefficient μ_k (large when γ_k is small). Also as the
         * port: |γ_k| ≤ the smallest normal double (not eps) counts as singular; a dropped μ_k
         * leaves μ_{k-1} alone; the stopping tests run only while no flag is set (or flag 9) and
         * the last one that holds wins (6 over 7 over 1, 2, 3, 4, 5, 8); x is updated the QLP way
         * at every iteration (the port's update test {@code flag != flag0} sends every iteration
         * that does not stop to the QLP branch); no eps-based cap on Acond.
         */
        REFERENCE
    }

    /**
     * Inputs besides A and b. {@code maxit <= 0} means N. The reference defaults are
     * rtol 1e-6, maxxnorm 1e7, acondlim 1e15, trancond 1e7; {@link #defaults()} returns them.
     *
     * @param rtol      relative tolerance on relres and relAres
     * @param maxit     iteration cap (≤ 0: N)
     * @param maxxnorm  upper bound on ‖x‖
     * @param acondlim  upper bound on the condition estimate
     * @param trancond  condition estimate at which MINRES updates switch to QLP updates
     *                  (1: QLP from the start; ≥ acondlim: MINRES only)
     * @param shift     σ in (A − σI)x = b
     * @param history   record the residual norm estimates of every iteration
     * @param detectNonpositiveCurvature stop at the first direction of nonpositive curvature
     * @param exit      which x is returned ({@link Exit}); the default is the minimum-length one
     */
    public record Options(double rtol, int maxit, double maxxnorm, double acondlim, double trancond,
                          double shift, boolean history, boolean detectNonpositiveCurvature, Exit exit) {
        public Options {
            if (exit == null) {
                throw new IllegalArgumentException("minres-qlp: exit must be given");
            }
            if (!(rtol >= 0)) {
                throw new IllegalArgumentException("minres-qlp: rtol must be >= 0, got " + rtol);
            }
            if (!(maxxnorm > 0)) {
                throw new IllegalArgumentException("minres-qlp: maxxnorm must be > 0, got " + maxxnorm);
            }
            if (!(acondlim > 0)) {
                throw new IllegalArgumentException("minres-qlp: acondlim must be > 0, got " + acondlim);
            }
            if (!(trancond >= 1)) {
                throw new IllegalArgumentException("minres-qlp: trancond must be >= 1, got " + trancond);
            }
            if (!Double.isFinite(shift)) {
                throw new IllegalArgumentException("minres-qlp: shift must be finite, got " + shift);
            }
        }

        public static Options defaults() {
            return new Options(1e-6, 0, 1e7, 1e15, 1e7, 0.0, false, false, Exit.MINIMUM_LENGTH);
        }

        public Options withRtol(double v) {
            return new Options(v, maxit, maxxnorm, acondlim, trancond, shift, history, detectNonpositiveCurvature, exit);
        }

        public Options withMaxit(int v) {
            return new Options(rtol, v, maxxnorm, acondlim, trancond, shift, history, detectNonpositiveCurvature, exit);
        }

        public Options withMaxxnorm(double v) {
            return new Options(rtol, maxit, v, acondlim, trancond, shift, history, detectNonpositiveCurvature, exit);
        }

        public Options withAcondlim(double v) {
            return new Options(rtol, maxit, maxxnorm, v, trancond, shift, history, detectNonpositiveCurvature, exit);
        }

        public Options withTrancond(double v) {
            return new Options(rtol, maxit, maxxnorm, acondlim, v, shift, history, detectNonpositiveCurvature, exit);
        }

        public Options withShift(double v) {
            return new Options(rtol, maxit, maxxnorm, acondlim, trancond, v, history, detectNonpositiveCurvature, exit);
        }

        public Options withHistory(boolean v) {
            return new Options(rtol, maxit, maxxnorm, acondlim, trancond, shift, v, detectNonpositiveCurvature, exit);
        }

        public Options withNonpositiveCurvatureDetection(boolean v) {
            return new Options(rtol, maxit, maxxnorm, acondlim, trancond, shift, history, v, exit);
        }

        public Options withExit(Exit v) {
            return new Options(rtol, maxit, maxxnorm, acondlim, trancond, shift, history, detectNonpositiveCurvature, v);
        }
    }

    /**
     * The outcome of one solve. relres = ‖r‖/(‖A‖‖x‖ + ‖b‖) and relAres = ‖Ar‖/(‖A‖‖r‖) with
     * r = b − (A − σI)x computed directly at exit, ‖A‖ the solver's estimate. rnorm and
     * Arnorm are the direct ‖r‖ and ‖(A − σI)r‖. Axnorm is the recurred estimate of ‖Ax‖.
     * resvec[j] and Aresvec[j] (when recorded) are the recurred ‖r_j‖ and ‖A r_j‖.
     *
     * @param iterations        iterations as the reference counts them (one less than the
     *                          Lanczos steps when the verdict is about x_{k-1})
     * @param minresIterations  iterations that updated x the MINRES way
     * @param qlpIterations     iterations that updated x the MINRES-QLP way
     * @param operatorApplications applications of A, including the two of the exit check
     * @param npcCurvature      r_{k-1}ᵀ(A − σI)r_{k-1}/‖r_{k-1}‖² when nonpositive curvature
     *                          was detected, else NaN
     */
    public record Stats(Flag flag, int iterations, int minresIterations, int qlpIterations,
                        int operatorApplications, double relres, double relAres, double rnorm,
                        double Arnorm, double Anorm, double Acond, double xnorm, double Axnorm,
                        double npcCurvature, double[] resvec, double[] Aresvec) {
        public Stats {
            resvec = resvec == null ? null : resvec.clone();
            Aresvec = Aresvec == null ? null : Aresvec.clone();
        }

        /** A copy of the residual-norm history, or null when not recorded. */
        @Override
        public double[] resvec() {
            return resvec == null ? null : resvec.clone();
        }

        /** A copy of the ‖A r‖ history, or null when not recorded. */
        @Override
        public double[] Aresvec() {
            return Aresvec == null ? null : Aresvec.clone();
        }

        public boolean nonpositiveCurvature() {
            return flag == Flag.NONPOSITIVE_CURVATURE;
        }

        @Override
        public String toString() {
            return String.format("MINRES-QLP %s (%d): iter %d (MINRES %d, QLP %d), relres %.3e, relAres %.3e,"
                            + " Anorm %.3e, Acond %.3e, xnorm %.3e", flag, flag.code, iterations,
                    minresIterations, qlpIterations, relres, relAres, Anorm, Acond, xnorm);
        }
    }

    /**
     * Device vectors for solves of dimension N on one backend, allocated once. After a solve,
     * {@link #x()} holds the solution, {@link #residual()} r = b − (A − σI)x,
     * {@link #aResidual()} (A − σI)r, and {@link #npcDirection()} the nonpositive-curvature
     * direction if one was found. They stay valid until the next solve.
     */
    public static final class Workspace implements AutoCloseable {
        private final Backend backend;
        private final int n;
        private final DArray x;
        private final DArray xl2;
        private final DArray r1;
        private final DArray r2;
        private final DArray y;
        private final DArray[] pool = new DArray[4]; // v, w, wl, wl2 (roles rotate)
        private final DArray r;
        private final DArray ar;
        private final DArray rk;
        private final DArray npc;
        private double[] resvec = new double[0];
        private double[] aresvec = new double[0];
        private final double[] rot = new double[3];
        private boolean closed;

        public Workspace(Backend backend, int n) {
            if (n < 1) {
                throw new IllegalArgumentException("minres-qlp workspace: dimension must be >= 1, got " + n);
            }
            this.backend = backend;
            this.n = n;
            x = backend.alloc(n);
            xl2 = backend.alloc(n);
            r1 = backend.alloc(n);
            r2 = backend.alloc(n);
            y = backend.alloc(n);
            for (int i = 0; i < pool.length; i++) {
                pool[i] = backend.alloc(n);
            }
            r = backend.alloc(n);
            ar = backend.alloc(n);
            rk = backend.alloc(n);
            npc = backend.alloc(n);
        }

        public int n() {
            return n;
        }

        public Backend backend() {
            return backend;
        }

        /** The solution of the last solve. */
        public DArray x() {
            return x;
        }

        /** r = b − (A − σI)x of the last solve, computed directly. */
        public DArray residual() {
            return r;
        }

        /** (A − σI)r of the last solve. */
        public DArray aResidual() {
            return ar;
        }

        /** The direction of nonpositive curvature found by the last solve (meaningful only then). */
        public DArray npcDirection() {
            return npc;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                for (DArray a : new DArray[] {x, xl2, r1, r2, y, r, ar, rk, npc}) {
                    a.close();
                }
                for (DArray a : pool) {
                    a.close();
                }
            }
        }
    }

    /** Solves with the given options into {@code ws}; see {@link Workspace} for the outputs. */
    public static Stats solve(SymmetricOperator op, DArray b, long bo, Options o, Workspace ws) {
        final int n = op.n();
        final Backend be = op.backend();
        if (ws.closed) {
            throw new IllegalStateException("minres-qlp: workspace used after close");
        }
        if (ws.n != n || ws.backend != be) {
            throw new IllegalArgumentException("minres-qlp: workspace is for N = " + ws.n + " on "
                    + ws.backend.name() + ", operator is N = " + n + " on " + be.name());
        }
        if (bo < 0 || bo + n > b.length()) {
            throw new IllegalArgumentException("minres-qlp: b of length " + n + " at offset " + bo
                    + " does not fit in an array of " + b.length());
        }
        final int maxit = o.maxit() <= 0 ? n : o.maxit();
        final double rtol = o.rtol();
        final double maxxnorm = o.maxxnorm();
        final double acondlim = o.acondlim();
        final double trancond = o.trancond();
        final double shift = o.shift();
        final boolean npcDetect = o.detectNonpositiveCurvature();
        final boolean ref = o.exit() == Exit.REFERENCE;
        if (o.history() && ws.resvec.length < maxit + 1) {
            ws.resvec = new double[maxit + 1];
            ws.aresvec = new double[maxit + 1];
        }
        final double[] resvec = o.history() ? ws.resvec : null;
        final double[] aresvec = o.history() ? ws.aresvec : null;

        final DArray x = ws.x;
        final DArray xl2 = ws.xl2;
        DArray r1 = ws.r1; // β_{k-1} v_{k-1} (unnormalized previous Lanczos vector)
        DArray r2 = ws.r2; // β_k v_k
        DArray y = ws.y;   // scratch for the next Lanczos vector
        DArray v = ws.pool[0];
        DArray w = ws.pool[1];
        DArray wl = ws.pool[2];
        DArray wl2 = ws.pool[3];
        int applications = 0;

        be.fill(n, 0.0, x, 0);
        be.fill(n, 0.0, w, 0);
        be.fill(n, 0.0, wl, 0);
        be.fill(n, 0.0, wl2, 0);
        be.fill(n, 0.0, xl2, 0);
        be.copy(n, b, bo, r2, 0);
        final double beta1 = be.nrm2(n, b, bo);
        if (npcDetect) {
            be.copy(n, b, bo, ws.rk, 0); // r_0 = b
        }

        Flag flag = null;
        int iter = 0;
        int qlpIter = 0;
        int minresUpdates = 0;
        double beta = 0;
        double betan = beta1;
        double tau = 0;
        double taul = 0;
        double taul2;
        double phi = beta1;
        double cs = -1; // left reflection Q_{k-1}: c_0 = -1 makes γ̄_1 = α_1
        double sn = 0;
        double cr1 = -1;
        double sr1 = 0;
        double cr2 = -1;
        double sr2 = 0;
        double dltan = 0;
        double eplnn = 0;
        double gama = 0;
        double gamal = 0;
        double gamal2 = 0;
        double gamal3;
        double eta = 0;
        double etal = 0;
        double etal2 = 0;
        double vepln = 0;
        double veplnl = 0;
        double veplnl2 = 0;
        double ul3 = 0;
        double ul2 = 0;
        double ul = 0;
        double u = 0;
        double xnorm = 0;
        double xl2norm = 0;
        double axnorm = 0;
        double anorm = 0;
        double acond = 1;
        double gmin = 0;
        double gminl = 0;
        double rnorm = beta1;
        double relres = 1;   // relres_0 = ‖b‖/‖b‖
        double relAresl = 0; // relAres_{k-1} once iteration k has run
        double gamalQlp = 0;
        double veplnQlp = 0;
        double gamaQlp = 0;
        double ulQlp = 0;
        double uQlp = 0;
        double npcCurvature = Double.NaN;
        if (resvec != null) {
            resvec[0] = beta1;
        }

        if (beta1 == 0) {
            flag = Flag.B_ZERO; // x = 0 is exact; skip the loop
        }

        while (flag == null) {
            iter++;

            // Lanczos: β_{k+1} v_{k+1} = (A − σI) v_k − α_k v_k − β_k v_{k-1}
            final double betal = beta;
            beta = betan;
            be.axpby(n, 1.0 / beta, r2, 0, 0.0, v, 0);   // v_k = r2 / β_k
            op.apply(v, 0, y, 0);
            applications++;
            if (shift != 0) {
                be.axpy(n, -shift, v, 0, y, 0);
            }
            if (iter > 1) {
                be.axpy(n, -beta / betal, r1, 0, y, 0);   // − β_k v_{k-1}
            }
            final double alfa = be.dot(n, v, 0, y, 0);
            be.axpy(n, -alfa / beta, r2, 0, y, 0);       // − α_k v_k
            DArray t = r1;
            r1 = r2;
            r2 = y;
            y = t;
            betan = be.nrm2(n, r2, 0);
            final double pnorm = iter == 1 ? Math.hypot(alfa, betan) : norm3(beta, alfa, betan);
            anorm = Math.max(anorm, pnorm);

            // Apply the previous left reflection Q_{k-1}: [δ_k ε_{k+1}; γ̄_k δ̄_{k+1}]
            final double dbar = dltan;
            double dlta = cs * dbar + sn * alfa;
            final double epln = eplnn;
            final double gbar = sn * dbar - cs * alfa;
            eplnn = sn * betan;
            dltan = -cs * betan;
            final double dltaQlp = dlta;

            // Liu & Roosta: r_{k-1}ᵀ(A − σI)r_{k-1} = −φ²_{k-1} c_{k-1} γ̄_k
            if (npcDetect && cs * gbar >= 0) {
                npcCurvature = -cs * gbar;
                be.copy(n, ws.rk, 0, ws.npc, 0);
                if (iter == 1) {
                    be.copy(n, b, bo, x, 0); // take the right-hand side itself as the step
                }
                flag = Flag.NONPOSITIVE_CURVATURE;
                break;
            }

            if (iter == 1 && betan == 0) {
                // Special right-hand sides: (A − σI)b = α_1 b.
                if (alfa == 0) {
                    flag = Flag.B_ZERO; // Ab = 0: x = 0 is the minimum-length LS solution
                } else {
                    flag = Flag.B_EIGENVECTOR;
                    be.axpby(n, 1.0 / alfa, b, bo, 0.0, x, 0);
                }
                break;
            }

            // Current left reflection Q_k annihilates β_{k+1}.
            gamal3 = gamal2;
            gamal2 = gamal;
            gamal = gama;
            final double[] rot = ws.rot;
            symOrtho(gbar, betan, rot);
            cs = rot[0];
            sn = rot[1];
            gama = rot[2];
            final double gamaTmp = gama;
            taul2 = taul;
            taul = tau;
            tau = cs * phi;
            axnorm = Math.hypot(axnorm, tau);
            phi = sn * phi;

            if (npcDetect) {
                // r_k = s_k² r_{k-1} − φ_k c_k v_{k+1}
                be.scal(n, sn * sn, ws.rk, 0);
                if (betan != 0) {
                    be.axpy(n, -phi * cs / betan, r2, 0, ws.rk, 0);
                }
            }

            // Apply the previous right reflection P_{k-2,k}.
            if (iter > 2) {
                veplnl2 = veplnl;
                etal2 = etal;
                etal = eta;
                final double dltaTmp = sr2 * vepln - cr2 * dlta;
                veplnl = cr2 * vepln + sr2 * dlta;
                dlta = dltaTmp;
                eta = sr2 * gama;
                gama = -cr2 * gama;
            }
            // Compute and apply the current right reflection P_{k-1,k}.
            if (iter > 1) {
                symOrtho(gamal, dlta, rot);
                cr1 = rot[0];
                sr1 = rot[1];
                gamal = rot[2];
                vepln = sr1 * gama;
                gama = -cr1 * gama;
            }

            // Update the components u of x in the QLP basis and their norm.
            final double ul4 = ul3;
            ul3 = ul2;
            if (iter > 2) {
                ul2 = (taul2 - etal2 * ul4 - veplnl2 * ul3) / gamal2;
            }
            if (iter > 1) {
                ul = (taul - etal * ul3 - veplnl * ul2) / gamal;
            }
            final double xnormTmp = norm3(xl2norm, ul2, ul);
            if (ref) {
                // The port: μ_k unless γ_k underflows or x already sits at maxxnorm (flag 9), or
                // μ_k would take x past it (flag 6).
                if (Math.abs(gama) > Double.MIN_NORMAL && xnormTmp < maxxnorm) {
                    u = (tau - eta * ul2 - vepln * ul) / gama;
                    if (Math.hypot(xnormTmp, u) > maxxnorm) {
                        u = 0;
                        flag = Flag.XNORM;
                    }
                } else {
                    u = 0;
                    flag = Flag.SINGULAR;
                }
            } else if (Math.abs(gama) > EPS) {
                u = (tau - eta * ul2 - vepln * ul) / gama;
                // Never let x pass maxxnorm: drop u_k instead (reference v1; v27 drops it only
                // when the problem "looks like least squares" and otherwise leaves x at
                // x_{k-1} or lets it grow, both under a misleading flag).
                if (Math.hypot(xnormTmp, u) > maxxnorm) {
                    u = 0;
                    flag = Flag.XNORM;
                }
            } else {
                u = 0;
                flag = Flag.SINGULAR;
            }
            if (flag != null && !ref) {
                ul = truncatedUl(iter, ul, ul2, tau, eta, vepln, gamal);
            }
            xl2norm = Math.hypot(xl2norm, ul2);
            xnorm = norm3(xl2norm, ul, u);

            // Next right reflection P_{k-1,k+1} annihilates ε_{k+1} (scalars only; the vector
            // update below still uses P_{k-2,k}).
            symOrtho(gamal, eplnn, rot);
            final double cr2Next = rot[0];
            final double sr2Next = rot[1];
            final double gamalNext = rot[2];

            // Norm and condition estimates.
            final double absGama = Math.abs(gama);
            anorm = Math.max(Math.max(anorm, pnorm), Math.max(gamalNext, absGama));
            // A γ_k dropped as singular (u_k = 0) is not part of the solution: leave it out of
            // the condition estimate, else every SINGULAR verdict would read as ACOND.
            final double gamaCond = flag == Flag.SINGULAR && !ref ? Double.POSITIVE_INFINITY : absGama;
            if (iter == 1) {
                gmin = gamaCond;
                gminl = gmin;
            } else {
                final double gminl2 = gminl;
                gminl = gmin;
                gmin = Math.min(gminl2, Math.min(gamalNext, gamaCond));
            }
            final double acondl = acond;
            acond = anorm / gmin;
            final double rnorml = rnorm;
            if (flag == null || (ref && flag != Flag.SINGULAR)) {
                rnorm = phi; // φ_k is the residual of the untruncated x_k only
            }
            relres = rnorm / (anorm * xnorm + beta1);
            final double rootl = Math.hypot(gbar, dltan);
            final double arnorml = rnorml * rootl;
            relAresl = rootl / anorm;

            // Stopping rules, in the reference's order of precedence. They read only scalars,
            // so they are decided before x moves (the reference decides them after).
            final Flag preUpdate = flag;
            final double epsx = anorm * xnorm * EPS;
            if (ref) {
                flag = referenceStop(flag, iter, maxit, epsx, beta1, relres, relAresl, rtol, acond, acondlim,
                        xnorm, maxxnorm, betan);
            } else if (1 + relres <= 1) {
                flag = Flag.RELRES_EPS;
            } else if (1 + relAresl <= 1) {
                flag = Flag.RELARES_EPS;
            } else if (relres <= rtol) {
                flag = Flag.RELRES;
            } else if (relAresl <= rtol) {
                flag = Flag.RELARES;
            } else if (epsx >= beta1) {
                flag = Flag.X_EIGENVECTOR;
            } else if (xnorm >= maxxnorm) {
                flag = Flag.XNORM;
            } else if (acond >= acondlim || acond >= ACOND_MACHINE_LIMIT) {
                flag = Flag.ACOND;
            } else if (iter >= maxit) {
                flag = Flag.MAXIT;
            } else if (betan == 0 && flag == null) {
                flag = Flag.LANCZOS_END;
            }
            // relAres_{k-1} ≤ rtol says r_{k-1} is (numerically) a null vector: x_{k-1} already
            // solves the least-squares problem and the k-th Lanczos direction only adds a
            // near-null component. Drop it (u_k = 0) in the QLP basis, as exact arithmetic does
            // when γ_k = 0, so that x stays the minimum-length solution.
            final boolean truncate = !ref && (flag == Flag.RELARES || flag == Flag.RELARES_EPS) && u != 0;
            if (truncate) {
                u = 0;
                ul = truncatedUl(iter, ul, ul2, tau, eta, vepln, gamal);
                xnorm = norm3(xl2norm, ul, u);
            }

            // The port takes the MINRES update only when a flag was set above (its test reads
            // flag != flag0), so every iteration that goes on updates x the QLP way.
            final boolean minresUpdate = ref ? acondl < trancond && preUpdate != null && qlpIter == 0
                    : acondl < trancond && preUpdate == null && !truncate && qlpIter == 0;
            if (minresUpdate) {
                // MINRES update: w_k = (v_k − ε_k w_{k-2} − δ_k w_{k-1}) / γ_k, x_k = x_{k-1} + τ_k w_k
                minresUpdates++;
                final DArray wNew = wl2;
                wl2 = wl;
                wl = w;
                w = wNew;
                if (gamaTmp > EPS) {
                    be.axpby(n, 1.0 / gamaTmp, v, 0, 0.0, w, 0);
                    be.axpy(n, -epln / gamaTmp, wl2, 0, w, 0);
                    be.axpy(n, -dltaQlp / gamaTmp, wl, 0, w, 0);
                } else {
                    be.copy(n, wl, 0, w, 0);
                }
                if (!ref || xnorm < maxxnorm) {
                    be.axpy(n, tau, w, 0, x, 0); // ‖x_k‖ ≤ maxxnorm: u_k was kept
                } else {
                    flag = Flag.XNORM;
                }
            } else {
                // MINRES-QLP update: W_k = V_k P_kᵀ, x_k = x^{(2)}_{k-2} + μ_{k-1} w_{k-1} + μ_k w_k
                qlpIter++;
                if (qlpIter == 1) {
                    // Transfer: rebuild the QLP directions and x_{k-2} from the MINRES ones.
                    be.fill(n, 0.0, xl2, 0);
                    if (iter > 1) {
                        if (iter > 3) {
                            be.scal(n, gamal3, wl2, 0);
                            be.axpy(n, veplnl2, wl, 0, wl2, 0);
                            be.axpy(n, etal, w, 0, wl2, 0);
                        }
                        if (iter > 2) {
                            be.axpby(n, veplnQlp, w, 0, gamalQlp, wl, 0);
                        }
                        be.scal(n, gamaQlp, w, 0);
                        be.copy(n, x, 0, xl2, 0);
                        be.axpy(n, -ulQlp, wl, 0, xl2, 0);
                        be.axpy(n, -uQlp, w, 0, xl2, 0);
                    }
                }
                if (iter == 1) {
                    final DArray free = wl2;
                    wl2 = wl;
                    wl = free;
                    be.axpby(n, sr1, v, 0, 0.0, wl, 0);
                    be.axpby(n, -cr1, v, 0, 0.0, w, 0);
                } else if (iter == 2) {
                    final DArray free = wl2;
                    wl2 = wl;
                    be.axpby(n, cr1, w, 0, 0.0, free, 0);
                    be.axpy(n, sr1, v, 0, free, 0);        // wl = c w + s v
                    be.axpby(n, -cr1, v, 0, sr1, w, 0);     // w  = s w − c v
                    wl = free;
                } else {
                    // [w_{k-2} w_{k-1} v_k] P_{k-2,k} P_{k-1,k}
                    final DArray w1 = wl;
                    final DArray w2 = w;
                    final DArray tmp = wl2;
                    be.axpby(n, sr2, w1, 0, 0.0, tmp, 0);
                    be.axpy(n, -cr2, v, 0, tmp, 0);        // tmp = s2 w1 − c2 v
                    be.axpby(n, sr2, v, 0, cr2, w1, 0);    // w1  = c2 w1 + s2 v   (final w_{k-2})
                    be.axpby(n, cr1, w2, 0, 0.0, v, 0);
                    be.axpy(n, sr1, tmp, 0, v, 0);         // v   = c1 w2 + s1 tmp (w_{k-1})
                    be.axpby(n, sr1, w2, 0, -cr1, tmp, 0); // tmp = s1 w2 − c1 tmp (w_k)
                    wl2 = w1;
                    wl = v;
                    w = tmp;
                    v = w2; // free; refilled by the next Lanczos step
                }
                be.axpy(n, ul2, wl2, 0, xl2, 0);
                be.copy(n, xl2, 0, x, 0);
                be.axpy(n, ul, wl, 0, x, 0);
                be.axpy(n, u, w, 0, x, 0);
            }

            // Keep what a later transfer to QLP updates needs, then advance P_{k-1,k+1}.
            gamalQlp = gamal;
            veplnQlp = vepln;
            gamaQlp = gama;
            ulQlp = ul;
            uQlp = u;
            cr2 = cr2Next;
            sr2 = sr2Next;
            gamal = gamalNext;


            if (flag == Flag.RELARES || flag == Flag.RELARES_EPS || flag == Flag.XNORM
                    || flag == Flag.ACOND) {
                // The verdict is about x_{k-1} (relAres_{k-1}) or x did not move: report k − 1.
                iter--;
                acond = acondl;
            } else if (resvec != null) {
                resvec[iter] = rnorm;
                aresvec[iter - 1] = arnorml;
            }
        }

        // Exit: residuals computed directly from x.
        be.copy(n, b, bo, ws.r, 0);
        op.apply(x, 0, ws.ar, 0);
        applications++;
        be.axpy(n, -1.0, ws.ar, 0, ws.r, 0);
        if (shift != 0) {
            be.axpy(n, shift, x, 0, ws.r, 0);
        }
        op.apply(ws.r, 0, ws.ar, 0);
        applications++;
        if (shift != 0) {
            be.axpy(n, -shift, ws.r, 0, ws.ar, 0);
        }
        final double rnormDirect = be.nrm2(n, ws.r, 0);
        final double arnormDirect = be.nrm2(n, ws.ar, 0);
        final double xnormDirect = be.nrm2(n, x, 0);
        final double relresDirect = beta1 == 0 && rnormDirect == 0 ? 0.0
                : rnormDirect / (anorm * xnormDirect + beta1);
        final double relAresDirect = rnormDirect > Double.MIN_NORMAL && anorm > 0
                ? arnormDirect / (anorm * rnormDirect) : 0.0;
        double[] res = null;
        double[] ares = null;
        if (resvec != null) {
            aresvec[iter] = arnormDirect;
            res = Arrays.copyOf(resvec, iter + 1);
            ares = Arrays.copyOf(aresvec, iter + 1);
        }
        return new Stats(flag, iter, minresUpdates, qlpIter, applications, relresDirect, relAresDirect,
                rnormDirect, arnormDirect, anorm, acond, xnormDirect, axnorm, npcCurvature, res, ares);
    }

    /**
     * The port's stopping tests ({@link Exit#REFERENCE}): they run only while no flag is set
     * (or flag 9), and the last test that holds wins. β_{k+1} = 0 (an invariant Krylov
     * subspace, where the port would divide by zero next) ends the solve when nothing else does.
     */
    private static Flag referenceStop(Flag flag, int iter, int maxit, double epsx, double beta1, double relres,
                                      double relAresl, double rtol, double acond, double acondlim, double xnorm,
                                      double maxxnorm, double betan) {
        if (flag != null && flag != Flag.SINGULAR) {
            return flag;
        }
        Flag f = flag;
        if (iter >= maxit) {
            f = Flag.MAXIT;
        }
        if (epsx >= beta1) {
            f = Flag.X_EIGENVECTOR;
        }
        if (1 + relAresl <= 1) {
            f = Flag.RELARES_EPS;
        }
        if (1 + relres <= 1) {
            f = Flag.RELRES_EPS;
        }
        if (relAresl <= rtol) {
            f = Flag.RELARES;
        }
        if (relres <= rtol) {
            f = Flag.RELRES;
        }
        if (acond >= acondlim) {
            f = Flag.ACOND;
        }
        if (xnorm >= maxxnorm) {
            f = Flag.XNORM;
        }
        if (f == null && betan == 0) {
            f = Flag.LANCZOS_END;
        }
        return f;
    }

    /**
     * μ_{k-1} when μ_k is dropped. Forward substitution ignores row k of L_k, which is right
     * when that row vanishes (T̲_k exactly singular: the QR diagonal γ̄_k = 0, and the right
     * reflections only rotate that row). When it does not (a γ_k made small by the right
     * reflections only, as when b is dominated by a near-null direction), the triangular
     * solution can even point uphill; instead μ_{k-1} minimizes the residual of rows k − 1
     * and k together, which gives the same value when row k is zero.
     */
    private static double truncatedUl(int iter, double ul, double ul2, double tau, double eta, double vepln,
                                      double gamal) {
        if (iter < 2) {
            return ul;
        }
        final double rowK = tau - eta * ul2; // what row k asks of ε_k μ_{k-1} once μ_k = 0
        final double g2 = gamal * gamal;
        final double den = g2 + vepln * vepln;
        return den > 0 ? (g2 * ul + vepln * rowK) / den : ul;
    }

    private static double norm3(double a, double b, double c) {
        return Math.hypot(Math.hypot(a, b), c);
    }

    /**
     * A stable symmetric reflection (CPS11 SymOrtho): [c s; s −c][a; b] = [r; 0] with r ≥ 0.
     * Writes c, s, r into out[0..2].
     */
    static void symOrtho(double a, double b, double[] out) {
        double c;
        double s;
        double r;
        if (b == 0) {
            c = a == 0 ? 1.0 : Math.signum(a);
            s = 0.0;
            r = Math.abs(a);
        } else if (a == 0) {
            c = 0.0;
            s = Math.signum(b);
            r = Math.abs(b);
        } else if (Math.abs(b) > Math.abs(a)) {
            final double t = a / b;
            s = Math.signum(b) / Math.sqrt(1.0 + t * t);
            c = s * t;
            r = b / s;
        } else {
            final double t = b / a;
            c = Math.signum(a) / Math.sqrt(1.0 + t * t);
            s = c * t;
            r = a / c;
        }
        out[0] = c;
        out[1] = s;
        out[2] = r;
    }
}
