package dev.morse.experiment;

import dev.morse.backend.Backend;
import dev.morse.index.DenseRoutes;
import dev.morse.index.Eigenpairs;
import dev.morse.index.IndexEstimator;

/**
 * Before a batch starts: the memory its dense arrays need on each worker (an assembled Hessian
 * for {@code hessian: dense} methods and Levenberg-Marquardt, and the index route), against what
 * the backend can give. A spec that cannot fit is refused with one line naming N, the bytes
 * needed and available and the index route that would fit; {@code index.method: auto} resolves
 * here (spectrum while N ≤ record.spectrum_max_n and it fits, else inertia while it fits, else slq).
 */
public final class MemoryCheck {
    private MemoryCheck() {
    }

    /** The index route for {@code workers} workers (null when the spec asks for no index); no check. */
    static IndexEstimator.Method route(Spec spec, int n, int workers, Backend be) {
        if (!spec.index().given() && !spec.record().spectrum()) {
            return null;
        }
        long avail = available(be);
        long perWorker = (avail - solverBytes(spec, n) * workers) / Math.max(1, workers);
        int maxN = spec.record().spectrum() ? spec.record().spectrumMaxN() : 0;
        return DenseRoutes.resolve(spec.index().method(), n, maxN, perWorker, device(be));
    }

    /** Resolves the index route and checks the whole batch fits; throws {@link SpecException} if not. */
    public static IndexEstimator.Method require(Spec spec, int n, int workers, Backend be) {
        IndexEstimator.Method m = route(spec, n, workers, be);
        long avail = available(be);
        long solvers = solverBytes(spec, n) * workers;
        if (solvers > 0 && !DenseRoutes.addressable(IndexEstimator.Method.SPECTRUM, n, device(be))) {
            throw new SpecException("methods", String.format(java.util.Locale.ROOT,
                    "a dense Hessian at N = %d is past the CPU backend's array limit (N ≤ %d); use hessian: matrix-free",
                    n, DenseRoutes.CPU_MAX_DENSE_N));
        }
        if (solvers > avail) {
            throw new SpecException("methods", String.format(java.util.Locale.ROOT,
                    "a dense Hessian at N = %d needs %s for %d worker%s but %s are available; use hessian: matrix-free",
                    n, DenseRoutes.gib(solvers), workers, workers == 1 ? "" : "s", DenseRoutes.gib(avail)));
        }
        if (m != null) {
            String why = DenseRoutes.refusal(m, n, workers, avail - solvers, device(be), spec.index().steps(),
                    Eigenpairs.DEFAULT_MAX_PAIRS, "index method " + m.key());
            if (why != null) {
                throw new SpecException("index.method", why);
            }
        }
        return m;
    }

    /** Dense matrices the methods of one worker hold ({@link MethodOptions#denseBytes}). */
    static long solverBytes(Spec spec, int n) {
        long b = 0;
        for (Spec.MethodSpec m : spec.methods()) {
            b += m.options().denseBytes(n);
        }
        return b;
    }

    private static long available(Backend be) {
        long a = be.availableBytes();
        return a >= 0 ? a : DenseRoutes.cpuAvailable();
    }

    private static DenseRoutes.Device device(Backend be) {
        return be.name().equals("cpu") ? DenseRoutes.Device.CPU : DenseRoutes.Device.GPU;
    }
}
