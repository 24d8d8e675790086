package dev.morse.optim;

import dev.morse.index.HessianRoute;
import dev.morse.index.PointClass;
import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of a run, of a critical-point method (newton) or an optimizer (optim) alike: the
 * final θ, the per-iteration trace (one row per iterate θ_0 … θ_T), why it stopped, warnings
 * (e.g. a non-smooth loss, or what stopped an optimizer), and for the Newton methods the route
 * their Hessian took and the measured costs it was chosen on (null for methods without a
 * Hessian operator, and for a run that ended before its first solve).
 */
public record Run(String method, double[] theta, List<Iterate> trace, StopReason stop, List<String> warnings,
                  HessianRoute.Decision hessianRoute) {
    public Run {
        theta = theta.clone();
        trace = List.copyOf(trace);
        warnings = List.copyOf(warnings);
    }

    /** A run without a Hessian operator. */
    public Run(String method, double[] theta, List<Iterate> trace, StopReason stop, List<String> warnings) {
        this(method, theta, trace, stop, warnings, null);
    }

    @Override
    public double[] theta() {
        return theta.clone();
    }

    /** This run with its last row replaced. */
    public Run withLast(Iterate row) {
        List<Iterate> t = new ArrayList<>(trace);
        t.set(t.size() - 1, row);
        return new Run(method, theta, t, stop, warnings, hessianRoute);
    }

    public Iterate last() {
        return trace.get(trace.size() - 1);
    }

    /** Newton (or gradient) steps taken: rows with a nonzero accepted step. */
    public int steps() {
        int s = 0;
        for (Iterate it : trace) {
            if (it.alpha() > 0) {
                s++;
            }
        }
        return s;
    }

    public double finalLoss() {
        return last().loss();
    }

    public double finalGradNormSq() {
        return last().gradNormSq();
    }

    /** The largest r over the run (thesis Fig 3.6 C: "maximal r"). */
    public double maxR() {
        double[] rs = new double[trace.size()];
        for (int i = 0; i < rs.length; i++) {
            rs[i] = trace.get(i).r();
        }
        return PointClass.maxR(rs);
    }

    /** MINRES-QLP's relres of the last solve of the run (NaN if none): the papers' figures' final r. */
    public double finalRelres() {
        for (int i = trace.size() - 1; i >= 0; i--) {
            if (trace.get(i).flag() != null) {
                return trace.get(i).relres();
            }
        }
        return Double.NaN;
    }

    /**
     * The largest relres over the steps whose solve ended on flag 2 (a least-squares verdict,
     * {@code RELARES}), NaN if none: the papers' figures' "maximal gradient-flatness".
     */
    public double maxRelresLeastSquares() {
        double m = Double.NaN;
        for (Iterate it : trace) {
            if (it.flag() == dev.morse.krylov.MinresQlp.Flag.RELARES && !Double.isNaN(it.relres())
                    && (Double.isNaN(m) || it.relres() > m)) {
                m = it.relres();
            }
        }
        return m;
    }

    /** Critical / gradient-flat / other, from the last iterate's ‖g‖², r and r_H. */
    public PointClass classify(PointClass.Criteria c) {
        Iterate l = last();
        return PointClass.classify(l.gradNormSq(), l.r(), l.rH(), c);
    }

    public PointClass classify() {
        return classify(PointClass.Criteria.defaults());
    }

    public double seconds() {
        return last().seconds();
    }
}
