package dev.morse.optim;

import dev.morse.ad.Linearization;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import java.util.ArrayList;
import java.util.List;

/**
 * An optimizer's run as it is written (package-private helper): θ₀ checked and uploaded, each
 * iterate θ_k a row of the {@link Run}'s trace shown to the listener, the stop tests before a
 * step, and the run with its wall time on the last row. An optimizer solves no Newton system:
 * a row carries the loss and ‖g‖² only (the rest NaN / null / 0).
 */
final class Recorder {
    private final String method;
    private final Backend be;
    private final int n;
    private final List<Iterate> trace = new ArrayList<>();
    private IterateListener listener = IterateListener.NONE;
    private long t0;

    Recorder(String method, Backend be, int n) {
        this.method = method;
        this.be = be;
        this.n = n;
    }

    /** Checks θ₀'s length and uploads it into {@code theta}; an empty trace, the clock started. */
    void start(double[] theta0, DArray theta, IterateListener listener) {
        if (theta0.length != n) {
            throw new IllegalArgumentException(method + ": θ₀ has length " + theta0.length + ", N = " + n);
        }
        be.upload(theta0, 0, theta, 0, n);
        trace.clear();
        this.listener = listener;
        t0 = System.nanoTime();
    }

    /** The iterate θ_k (its linearization {@code lin}): a row of the trace, shown to the listener. */
    void record(int k, Linearization lin) {
        trace.add(new Iterate(k, lin.value(), lin.gradNormSq(), Double.NaN, null, 0, Double.NaN, Double.NaN,
                Double.NaN, List.of(), Double.NaN, 0, 0));
        listener.iterate(k, lin);
    }

    /**
     * Why the run stops at {@code lin} before a step, or null to go on: a loss or gradient not
     * finite, ‖g‖² below the floor, or (when {@code zeroEnds}) an exactly zero gradient.
     */
    static StopReason stopAt(Linearization lin, double gradNormSqFloor, boolean zeroEnds) {
        if (!lin.finite()) {
            return StopReason.NON_FINITE;
        }
        double s = lin.gradNormSq();
        return s < gradNormSqFloor || (zeroEnds && s == 0) ? StopReason.GRAD_FLOOR : null;
    }

    /**
     * The run ending at {@code theta}; unless it reached the cap or the floor, a warning says why
     * it stopped ({@code detail}, or the reason's name).
     */
    Run finish(DArray theta, StopReason stop, String detail) {
        double[] th = new double[n];
        be.download(theta, 0, th, 0, n);
        int l = trace.size() - 1;
        Iterate last = trace.get(l);
        trace.set(l, new Iterate(last.t(), last.loss(), last.gradNormSq(), last.alpha(), last.flag(),
                last.solverIterations(), last.r(), last.rH(), last.gamma(), last.candidates(),
                (System.nanoTime() - t0) * 1e-9, last.hvps(), last.gradients()));
        List<String> warnings = stop == StopReason.ITERATION_CAP || stop == StopReason.GRAD_FLOOR ? List.of()
                : List.of(method + " stopped: " + (detail != null ? detail
                : stop.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')));
        return new Run(method, th, trace, stop, warnings);
    }
}
