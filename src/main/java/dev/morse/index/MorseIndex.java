package dev.morse.index;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.backend.Inertia;
import dev.morse.backend.LinalgStatus;
import java.util.Arrays;

/**
 * The Morse index of a point: the fraction of Hessian eigenvalues below −τ (τ = 1e-5 by
 * default, thesis §3.2.3.1), computed two independent ways:
 * <ul>
 *   <li>from the spectrum, by a symmetric eigendecomposition (dsyevd / cuSOLVER syevd);</li>
 *   <li>from the inertia of H + τI by an LDLᵀ factorization (Sylvester's law of inertia):
 *       its negative count is #{λ < −τ}, at a fraction of the cost.</li>
 * </ul>
 */
public final class MorseIndex {
    /** Eigenvalues below −1e-5 count as negative (thesis, from the spectra of the analytic points). */
    public static final double DEFAULT_THRESHOLD = 1e-5;
    /** The threshold of the papers' nonlinear figures (Figs 3.6-3.8, the authors' notebooks): λ < −1e-3. */
    public static final double FIGURES_THRESHOLD = 1e-3;

    private MorseIndex() {
    }

    /** Eigenvalues in ascending order. */
    public record Spectrum(double[] eigenvalues, LinalgStatus status) {
        public Spectrum {
            eigenvalues = eigenvalues.clone();
        }

        @Override
        public double[] eigenvalues() {
            return eigenvalues.clone();
        }

        public int n() {
            return eigenvalues.length;
        }

        public double min() {
            return eigenvalues[0];
        }

        public double max() {
            return eigenvalues[eigenvalues.length - 1];
        }

        /** #{λ < −threshold}. */
        public int negativeCount(double threshold) {
            int c = 0;
            for (double l : eigenvalues) {
                if (l < -threshold) {
                    c++;
                }
            }
            return c;
        }

        /** #{|λ| ≤ threshold}. */
        public int nearZeroCount(double threshold) {
            int c = 0;
            for (double l : eigenvalues) {
                if (Math.abs(l) <= threshold) {
                    c++;
                }
            }
            return c;
        }

        public Result index(double threshold) {
            return new Result((double) negativeCount(threshold) / n(), negativeCount(threshold), n(), threshold,
                    Method.SPECTRUM, status);
        }

        @Override
        public String toString() {
            return "Spectrum(n=" + n() + ", min=" + min() + ", max=" + max() + ", " + status + ")";
        }
    }

    public enum Method { SPECTRUM, INERTIA }

    /**
     * @param index     negative / n
     * @param negative  #{λ < −threshold}
     * @param status    the factorization's LAPACK/cuSOLVER status (check ok())
     */
    public record Result(double index, int negative, int n, double threshold, Method method, LinalgStatus status) {
    }

    /** Device scratch for one N: an N×N copy of H, the eigenvalues and a diagonal helper. */
    public static final class Workspace implements AutoCloseable {
        private final Backend be;
        private final int n;
        private final DArray a;
        private final DArray w;
        private final DArray e;
        private boolean closed;

        public Workspace(Backend backend, int n) {
            this.be = backend;
            this.n = n;
            this.a = backend.alloc((long) n * n);
            this.w = backend.alloc(n);
            this.e = backend.alloc(n + 1L);
        }

        public int n() {
            return n;
        }

        /** The N×N scratch matrix (holds a copy of H after {@link #load}). */
        public DArray matrix() {
            return a;
        }

        void check(int nn, Backend b) {
            if (closed) {
                throw new IllegalStateException("index workspace used after close");
            }
            if (nn != n || b != be) {
                throw new IllegalArgumentException("index workspace is for N = " + n + " on " + be.name()
                        + ", got N = " + nn + " on " + b.name());
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                a.close();
                w.close();
                e.close();
            }
        }
    }

    /** The spectrum of the Hessian behind {@code h} (assembled if h is matrix-free). */
    public static Spectrum spectrum(HessianOperator h, Workspace ws) {
        ws.check(h.n(), h.backend());
        h.copyDense(ws.a, 0);
        return eig(ws);
    }

    /** The spectrum of the symmetric N×N matrix a[ao ..) (left untouched). */
    public static Spectrum spectrum(Backend be, int n, DArray a, long ao, Workspace ws) {
        ws.check(n, be);
        be.copy((long) n * n, a, ao, ws.a, 0);
        return eig(ws);
    }

    private static Spectrum eig(Workspace ws) {
        LinalgStatus st = ws.be.syevd(ws.n, ws.a, 0, ws.w, 0, false);
        double[] lam = new double[ws.n];
        ws.be.download(ws.w, 0, lam, 0, ws.n);
        if (!st.ok()) {
            Arrays.fill(lam, Double.NaN);
        }
        return new Spectrum(lam, st);
    }

    /** Index from the spectrum. */
    public static Result fromSpectrum(Spectrum s, double threshold) {
        return s.index(threshold);
    }

    /** Index from the inertia of H + τI, τ = threshold (no eigendecomposition). */
    public static Result byInertia(HessianOperator h, double threshold, Workspace ws) {
        ws.check(h.n(), h.backend());
        h.copyDense(ws.a, 0);
        return inertiaOfLoaded(ws, threshold);
    }

    /** Index from the inertia of A + τI for the symmetric N×N matrix a[ao ..) (left untouched). */
    public static Result byInertia(Backend be, int n, DArray a, long ao, double threshold, Workspace ws) {
        ws.check(n, be);
        be.copy((long) n * n, a, ao, ws.a, 0);
        return inertiaOfLoaded(ws, threshold);
    }

    private static Result inertiaOfLoaded(Workspace ws, double threshold) {
        addToDiagonal(ws.be, ws.n, ws.a, 0, threshold, ws.e);
        Inertia in = ws.be.inertia(ws.n, ws.a, 0);
        return new Result((double) in.negative() / ws.n, in.negative(), ws.n, threshold, Method.INERTIA, in.status());
    }

    /**
     * A ← A + c·I for row-major N×N A, with backend calls only: viewed as rows of length N + 1,
     * the diagonal is column 0, so adding the row vector (c, 0, …, 0) to the first N − 1 such
     * rows and c to the last element does it. {@code e} is scratch of length N + 1.
     */
    public static void addToDiagonal(Backend be, int n, DArray a, long ao, double c, DArray e) {
        be.fill(n + 1L, 0.0, e, 0);
        be.fill(1, c, e, 0);
        if (n > 1) {
            be.addRowVector(n - 1, n + 1, 1, 1.0, e, 0, false, a, ao);
        }
        be.axpy(1, 1.0, e, 0, a, ao + (long) n * n - 1);
    }
}
