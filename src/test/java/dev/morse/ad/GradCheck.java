package dev.morse.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import java.util.Random;

/**
 * The one derivative check every primitive's test uses (after JAX's check_grads): along
 * seeded random directions, to second order —
 * JVP and VJP against central differences of L, the identity ⟨Jv, 1⟩ = ⟨v, Jᵀ1⟩,
 * HVP against central differences of ∇L, Hessian symmetry, hvp = hessian·v, hvpBlock = k hvps.
 */
public final class GradCheck {
    /** Central-difference step: truncation O(h²) ≈ 1e-10, rounding O(ε/h) ≈ 1e-11, relative. */
    static final double H = 1e-5;
    /** Finite differences agree with exact derivatives to this relative error (both errors above, with margin). */
    static final double FD_TOL = 1e-6;
    /** Exact identities (⟨Jv,w⟩ = ⟨v,Jᵀw⟩, symmetry, block vs single) hold to rounding: a few hundred ulps of the norms. */
    static final double EXACT_TOL = 1e-11;

    private GradCheck() {
    }

    static double[] gaussian(Random r, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale * r.nextGaussian();
        }
        return v;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    static double[] download(Backend b, DArray a, int n) {
        double[] out = new double[n];
        b.download(a, 0, out, 0, n);
        return out;
    }

    static double[] gradient(Plan plan, double[] th) {
        return download(plan.backend(), plan.at(th).gradient(), plan.n());
    }

    static double[] hvp(Plan plan, double[] th, double[] v) {
        Backend b = plan.backend();
        int n = plan.n();
        try (DArray dv = b.alloc(n); DArray out = b.alloc(n)) {
            b.upload(v, 0, dv, 0, n);
            plan.at(th).hvp(dv, 0, out, 0);
            return download(b, out, n);
        }
    }

    static double[] hessian(Plan plan, double[] th) {
        Backend b = plan.backend();
        int n = plan.n();
        try (DArray h = b.alloc((long) n * n)) {
            plan.at(th).hessian(h, 0);
            double[] out = new double[n * n];
            b.download(h, 0, out, 0, n * n);
            return out;
        }
    }

    static void close(double expected, double actual, double tol, double scale, String what) {
        double err = Math.abs(expected - actual);
        assertTrue(err <= tol * (Math.abs(expected) + Math.abs(actual) + scale),
                what + ": expected " + expected + ", got " + actual + " (error " + err + ")");
    }

    static void closeVec(double[] expected, double[] actual, double tol, double scale, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double[] d = new double[expected.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = expected[i] - actual[i];
        }
        double err = norm(d);
        assertTrue(err <= tol * (norm(expected) + norm(actual) + scale),
                what + ": ‖expected − actual‖ = " + err + " vs ‖expected‖ = " + norm(expected));
    }

    /** Runs every check on {@code program} at θ with directions drawn from {@code seed}. */
    public static void check(Program program, Backend backend, double[] th, long seed) {
        Random r = new Random(seed);
        int n = program.nParams();
        try (Plan plan = Plan.compile(program, backend, Plan.Options.defaults().withMaxBlock(3))) {
            double l0 = plan.value(th);
            double scale = 1e-6 * Math.max(1.0, Math.abs(l0));
            double[] v = gaussian(r, n, 1.0);
            double[] u = gaussian(r, n, 1.0);

            // first order: JVP (tangent forward) and VJP (adjoint) against central differences
            double[] tp = th.clone();
            double[] tm = th.clone();
            for (int i = 0; i < n; i++) {
                tp[i] += H * v[i];
                tm[i] -= H * v[i];
            }
            double fd = (plan.value(tp) - plan.value(tm)) / (2 * H);
            Linearization lin = plan.at(th);
            double[] g = download(backend, lin.gradient(), n);
            double vjp = dot(g, v);
            double jvp;
            try (DArray dv = backend.alloc(n)) {
                backend.upload(v, 0, dv, 0, n);
                jvp = lin.jvp(dv, 0);
            }
            close(fd, jvp, FD_TOL, scale, "JVP vs central difference");
            close(fd, vjp, FD_TOL, scale, "VJP vs central difference");
            close(jvp, vjp, EXACT_TOL, scale * 1e-6, "⟨Jv, 1⟩ = ⟨v, Jᵀ1⟩");
            assertTrue(lin.finite(), "loss and gradient finite");

            // second order: HVP against central differences of the gradient
            double[] gp = gradient(plan, tp);
            double[] gm = gradient(plan, tm);
            double[] fdh = new double[n];
            for (int i = 0; i < n; i++) {
                fdh[i] = (gp[i] - gm[i]) / (2 * H);
            }
            double[] hv = hvp(plan, th, v);
            double[] hu = hvp(plan, th, u);
            closeVec(fdh, hv, FD_TOL, scale, "HVP vs central difference of the gradient");

            // symmetry ⟨u, Hv⟩ = ⟨v, Hu⟩
            close(dot(u, hv), dot(v, hu), EXACT_TOL, 1e-12 * (norm(u) * norm(hv) + norm(v) * norm(hu)) + 1e-300,
                    "⟨u, Hv⟩ = ⟨v, Hu⟩");

            // dense Hessian: H·v equals hvp(v), and H is symmetric
            double[] h = hessian(plan, th);
            double[] hdv = new double[n];
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += h[i * n + j] * v[j];
                }
                hdv[i] = s;
            }
            closeVec(hv, hdv, EXACT_TOL, 1e-12 * norm(hv), "hessian()·v = hvp(v)");
            double hmax = 0;
            for (double e : h) {
                hmax = Math.max(hmax, Math.abs(e));
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < i; j++) {
                    close(h[i * n + j], h[j * n + i], EXACT_TOL, 1e-3 * hmax,
                            "H symmetric at (" + i + "," + j + ")");
                }
            }

            // hvpBlock(V) equals k separate hvps (k = 5 crosses the block capacity of 3)
            int k = 5;
            double[] vv = gaussian(r, k * n, 1.0);
            double[] block = new double[k * n];
            try (DArray dv = backend.alloc((long) k * n); DArray out = backend.alloc((long) k * n)) {
                backend.upload(vv, 0, dv, 0, k * n);
                plan.at(th).hvpBlock(k, dv, 0, out, 0);
                backend.download(out, 0, block, 0, k * n);
            }
            for (int j = 0; j < k; j++) {
                double[] vj = java.util.Arrays.copyOfRange(vv, j * n, (j + 1) * n);
                double[] bj = java.util.Arrays.copyOfRange(block, j * n, (j + 1) * n);
                closeVec(hvp(plan, th, vj), bj, EXACT_TOL, 1e-300, "hvpBlock direction " + j + " = hvp");
            }
        }
    }
}
