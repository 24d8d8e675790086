package dev.morse.optim;

import dev.morse.ad.Linearization;
import dev.morse.ad.Objective;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;

/**
 * The loss along a search direction, φ(α) = L(θ + αd) and φ'(α) = ∇L(θ + αd)ᵀd, as the
 * quasi-Newton methods' line search sees it. The trial point θ + αd is written into the
 * buffer given to {@link #along}; {@link #last()} is the linearization of the last trial,
 * which the method keeps as its next iterate when the search accepts that α.
 */
final class LossAlongDirection implements LineSearch.Merit {
    private final Objective obj;
    private final Backend be;
    private final int n;
    private DArray theta;
    private DArray d;
    private DArray trial;
    private Linearization last;

    LossAlongDirection(Objective objective) {
        this.obj = objective;
        this.be = objective.backend();
        this.n = objective.n();
    }

    /** Searches from θ along d, writing trial points into {@code trial}. */
    LossAlongDirection along(DArray theta, DArray d, DArray trial) {
        this.theta = theta;
        this.d = d;
        this.trial = trial;
        return this;
    }

    @Override
    public double value(double a) {
        be.copy(n, theta, 0, trial, 0);
        be.axpy(n, a, d, 0, trial, 0);
        last = obj.at(trial, 0);
        return last.finite() ? last.value() : Double.NaN;
    }

    @Override
    public double slope(double a) {
        return be.dot(n, last.gradient(), 0, d, 0);
    }

    /** The linearization at the last trial point. */
    Linearization last() {
        return last;
    }
}
