package dev.morse.index;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;

/**
 * Gradient-flatness of a Newton direction p at (H, g), thesis Eq 3.36-3.37:
 * r = ‖Hp + g‖ / (‖H‖_F‖p‖ + ‖g‖) (relative residual, in [0, 1]) and
 * r_H = ‖H(Hp + g)‖ / (‖H‖_F‖Hp + g‖) (relative co-kernel residual). r near 1 with r_H
 * small means g lies (almost) in the kernel of H: an approximately gradient-flat point.
 *
 * @param r          relative residual
 * @param rH         relative co-kernel residual (0 when Hp + g = 0)
 * @param hNorm      the ‖H‖_F used (exact or Hutchinson estimate)
 */
public record Flatness(double r, double rH, FrobeniusNorm hNorm) {

    /** From the norms: ‖Hp + g‖, ‖H(Hp + g)‖, ‖p‖, ‖g‖ and ‖H‖_F. */
    public static Flatness of(double residualNorm, double hResidualNorm, double pNorm, double gNorm,
                              FrobeniusNorm hNorm) {
        double f = hNorm.value();
        double den = f * pNorm + gNorm;
        double r = den > 0 ? residualNorm / den : 0.0;
        double rH = f > 0 && residualNorm > 0 ? hResidualNorm / (f * residualNorm) : 0.0;
        return new Flatness(r, rH, hNorm);
    }

    /**
     * Computes Hp + g and H(Hp + g) with two operator applications into {@code res} and
     * {@code hres} (device scratch of length N), then r and r_H.
     */
    public static Flatness compute(HessianOperator h, DArray p, long po, DArray g, long go,
                                   DArray res, DArray hres) {
        Backend be = h.backend();
        int n = h.n();
        h.apply(p, po, res, 0);
        be.axpy(n, 1.0, g, go, res, 0);
        h.apply(res, 0, hres, 0);
        return of(be.nrm2(n, res, 0), be.nrm2(n, hres, 0), be.nrm2(n, p, po), be.nrm2(n, g, go),
                h.frobeniusNorm());
    }
}
