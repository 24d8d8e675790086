package dev.morse.index;

import dev.morse.ad.Linearization;
import java.util.Locale;

/**
 * How a Newton method applies its Hessian, and why: matrix-free (every product an HVP of the
 * linearization) or dense (H assembled once per Newton step by blocks of HVPs, then every
 * product a gemv). {@code hessian: auto} chooses from measured costs, not from N alone:
 *
 * <pre>
 *   matrix-free step = m·t_hvp + norm                norm = probes·min(t_block, t_hvp)   (Hutchinson)
 *   dense step       = N·t_block + m·t_gemv + norm'  norm' = probes·t_gemv  (Hutchinson on the assembled H)
 * </pre>
 *
 * with m the operator applications the step's MINRES-QLP solves are expected to take, t_hvp
 * one HVP, t_block one direction of an {@code hvpBlock} (assembly costs N of them), t_gemv one
 * dense product, and ‖H‖_F Hutchinson's with {@code probes} probes on either route (matrix-free:
 * one hvpBlock, or single HVPs where those were measured cheaper per direction). The dense
 * route is only open while 8N² bytes fit {@link #DENSE_MEMORY_SHARE} of the memory available at
 * the probe. Where ‖H‖_F is exact ({@link HessianOperator#exactNorm}: N ≤
 * {@link HessianOperator#AUTO_DENSE_MAX_N}) both routes would assemble H for it, after which a
 * product with H (N² ≤ 65536 multiply-adds) is never dearer than an HVP: the route is dense
 * there without a probe ({@link Basis#EXACT_NORM}), which also keeps those runs' records free of
 * timings.
 *
 * <p>The costs are measured once per operator, at the first iterate a Newton method sees
 * ({@link HessianOperator#measure}); the route is chosen there with m = the solver's cap
 * (maxit, or N), and revised once after the first solve, with m = that solve's count. Both
 * routes give the same Newton steps up to rounding, and ‖H‖_F's kind (exact or Hutchinson) is
 * fixed by N and the mode, not by the route, so a run's r, r_H and classification do not
 * depend on timings.
 */
public final class HessianRoute {
    /** At most this fraction of the available memory is given to one dense Hessian. */
    public static final double DENSE_MEMORY_SHARE = 0.25;

    private HessianRoute() {
    }

    /** The two ways to apply H. */
    public enum Route {
        DENSE("dense"),
        MATRIX_FREE("matrix-free");

        private final String key;

        Route(String key) {
            this.key = key;
        }

        /** The spec's and the record's spelling. */
        public String key() {
            return key;
        }
    }

    /**
     * What one route's unit operations cost at a linearization, in seconds (NaN: not measured,
     * because the dense route does not fit memory).
     *
     * @param n           N
     * @param hvp         one HVP (matrix-free product)
     * @param blockPerDirection one direction of an hvpBlock of {@code blockDirections} (assembly: N of them)
     * @param blockDirections directions of the timed block
     * @param gemv        one dense N×N product
     * @param probes      Hutchinson probes of ‖H‖_F
     * @param denseBytes  bytes of the assembled H (8N²)
     * @param budgetBytes bytes the dense route may use ({@link #DENSE_MEMORY_SHARE} of what was available)
     */
    public record Costs(int n, double hvp, double blockPerDirection, int blockDirections, double gemv, int probes,
                        long denseBytes, long budgetBytes) {
        /**
         * Each unit cost the least of this and {@code o} (two measurements of the same problem
         * at different times: a load spike only makes a time longer). Sizes and budget are this one's.
         */
        public Costs leastOf(Costs o) {
            return new Costs(n, least(hvp, o.hvp), least(blockPerDirection, o.blockPerDirection), blockDirections,
                    least(gemv, o.gemv), probes, denseBytes, budgetBytes);
        }

        private static double least(double a, double b) {
            return Double.isNaN(a) ? b : (Double.isNaN(b) ? a : Math.min(a, b));
        }

        /** True when the assembled H fits the budget (and so was measured). */
        public boolean denseFits() {
            return denseBytes <= budgetBytes;
        }

        /** Seconds to assemble H (N directions of hvpBlock). */
        public double assembly() {
            return n * blockPerDirection;
        }

        /**
         * Whether the Hutchinson probes run as single HVPs rather than one hvpBlock: when a block
         * direction was measured dearer than an HVP (narrow networks: the stacked tangents of a
         * block fall out of cache, while one HVP's stay in it). Unmeasured block: no.
         */
        public boolean probesSingly() {
            return hvp < blockPerDirection;
        }

        /** Seconds per Hutchinson probe on the matrix-free route: the cheaper of a block direction and an HVP. */
        public double probe() {
            return probesSingly() ? hvp : blockPerDirection;
        }

        /** Predicted seconds of one Newton step's Hessian work matrix-free, for m applications. */
        public double matrixFreeStep(long m) {
            return m * hvp + probes * probe();
        }

        /** Predicted seconds of one Newton step's Hessian work dense, for m applications. */
        public double denseStep(long m) {
            return assembly() + m * gemv + probes * gemv;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "hvp %.4g ms, block %.4g ms/direction (k = %d), assembly %.4g ms, "
                            + "gemv %.4g ms, dense H %s of %s budget", 1e3 * hvp, 1e3 * blockPerDirection,
                    blockDirections, 1e3 * assembly(), 1e3 * gemv, mib(denseBytes), mib(budgetBytes));
        }

        private static String mib(long b) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1 << 20));
        }
    }

    /** Where a route's costs come from: the operator's own measurement, or (tests) a fixed model. */
    @FunctionalInterface
    public interface Probe {
        Costs measure(HessianOperator op, Linearization lin);

        /** Times the unit operations on the operator's backend ({@link HessianOperator#measure}). */
        Probe MEASURED = HessianOperator::measure;
    }

    /** Why a route is used. */
    public enum Basis {
        /** {@code hessian: dense} or {@code matrix-free}. */
        FORCED("forced"),
        /** Mode AUTO where ‖H‖_F is exact: dense, not measured (see the class comment). */
        EXACT_NORM("exact norm"),
        /** Chosen from the probe's costs with m = the solver's cap. */
        MEASURED("measured"),
        /** Chosen again after the run's first solve, with m = its count. */
        REVISED("measured, revised after the first solve");

        private final String text;

        Basis(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /**
     * The route a Newton method used and the numbers it was chosen on.
     *
     * @param route    the route
     * @param basis    forced, measured, or revised after the first solve
     * @param costs    the measured unit costs (null when not measured)
     * @param expected operator applications per step the choice assumed (0 when not measured)
     * @param first    the route chosen at the first iterate, before any revision (the route itself when not revised)
     */
    public record Decision(Route route, Basis basis, Costs costs, long expected, Route first) {
        public static Decision forced(Route r) {
            return new Decision(r, Basis.FORCED, null, 0, r);
        }

        /** Mode AUTO where ‖H‖_F is exact: dense without a probe. */
        public static Decision exactNorm() {
            return new Decision(Route.DENSE, Basis.EXACT_NORM, null, 0, Route.DENSE);
        }

        /** Predicted seconds per step of the route taken (NaN when not measured). */
        public double predictedStep() {
            return costs == null ? Double.NaN
                    : route == Route.DENSE ? costs.denseStep(expected) : costs.matrixFreeStep(expected);
        }

        @Override
        public String toString() {
            if (costs == null) {
                return route.key() + " (" + basis.text() + ")";
            }
            return String.format(Locale.ROOT, "%s (%s%s; %d applications per step: dense %.4g ms, matrix-free %.4g ms; %s)",
                    route.key(), basis.text(), first != route ? ", first " + first.key() : "", expected,
                    1e3 * costs.denseStep(expected), 1e3 * costs.matrixFreeStep(expected), costs);
        }
    }

    /**
     * The cheaper route for a step of m operator applications: dense when it fits and its
     * predicted step is strictly cheaper, matrix-free otherwise.
     */
    public static Route choose(Costs c, long m) {
        if (!c.denseFits()) {
            return Route.MATRIX_FREE;
        }
        return c.denseStep(m) < c.matrixFreeStep(m) ? Route.DENSE : Route.MATRIX_FREE;
    }
}
