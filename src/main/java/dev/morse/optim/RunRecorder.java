package dev.morse.optim;

import dev.morse.ad.Linearization;
import dev.morse.ad.Objective;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.index.HessianRoute;
import java.util.ArrayList;
import java.util.List;

/**
 * A run as a method writes it, for the critical-point methods and the optimizers alike: θ₀
 * checked and uploaded, the clock, each iterate θ_t shown to the listener and a row of the
 * trace, the stop tests before a step, warnings, and the {@link Run} at the end. One per method
 * instance, reused run after run.
 */
public final class RunRecorder {
    private final String method;
    private final Backend be;
    private final int n;
    private final List<Iterate> trace = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private IterateListener listener = IterateListener.NONE;
    private long t0;

    public RunRecorder(String method, Backend be, int n) {
        this.method = method;
        this.be = be;
        this.n = n;
    }

    /** Checks θ₀'s length and uploads it into {@code theta}. */
    public void upload(double[] theta0, DArray theta) {
        if (theta0.length != n) {
            throw new IllegalArgumentException(method + ": θ₀ has length " + theta0.length + ", N = " + n);
        }
        be.upload(theta0, 0, theta, 0, n);
    }

    /** A new run: an empty trace, no warnings, the clock started. */
    public void start(IterateListener listener) {
        trace.clear();
        warnings.clear();
        this.listener = listener;
        t0 = System.nanoTime();
    }

    /** {@link #upload} and {@link #start}. */
    public void start(double[] theta0, DArray theta, IterateListener listener) {
        upload(theta0, theta);
        start(listener);
    }

    /** Seconds since {@link #start}. */
    public double seconds() {
        return (System.nanoTime() - t0) * 1e-9;
    }

    /** Shows the iterate θ_t (its linearization) to the listener. */
    public void show(int t, Linearization lin) {
        listener.iterate(t, lin);
    }

    /** A row of the trace. */
    public void add(Iterate row) {
        trace.add(row);
    }

    /** A warning when the loss is not twice differentiable everywhere: {@code what} is unreliable at its kinks. */
    public void warnNonSmooth(Objective obj, String what) {
        if (!obj.nonSmooth().isEmpty()) {
            warnings.add("the loss is not twice differentiable everywhere (" + String.join(", ", obj.nonSmooth())
                    + "): " + what + " unreliable at its kinks");
        }
    }

    /**
     * Why the run stops at {@code lin} before a step, or null to go on: a loss or gradient not
     * finite, ‖g‖² below the floor, or (when {@code zeroEnds}) an exactly zero gradient.
     */
    public static StopReason stopAt(Linearization lin, double gradNormSqFloor, boolean zeroEnds) {
        if (!lin.finite()) {
            return StopReason.NON_FINITE;
        }
        double s = lin.gradNormSq();
        return s < gradNormSqFloor || (zeroEnds && s == 0) ? StopReason.GRAD_FLOOR : null;
    }

    /** The run ending at {@code theta}, with the Hessian route its method took (null: none). */
    public Run finish(DArray theta, StopReason stop, HessianRoute.Decision route) {
        double[] th = new double[n];
        be.download(theta, 0, th, 0, n);
        return new Run(method, th, trace, stop, warnings, route);
    }

    /**
     * An optimizer's iterate θ_k: shown to the listener, and a row with its loss and ‖g‖² (an
     * optimizer solves no Newton system: the rest NaN / null / 0).
     */
    void record(int k, Linearization lin) {
        trace.add(new Iterate(k, lin.value(), lin.gradNormSq(), Double.NaN, null, 0, Double.NaN, Double.NaN,
                Double.NaN, List.of(), Double.NaN, 0, 0));
        listener.iterate(k, lin);
    }

    /**
     * An optimizer's run ending at {@code theta}: the wall time on its last row, and unless it
     * reached the cap or the floor a warning that says why it stopped ({@code detail}, or the
     * reason's name).
     */
    Run finishOptimizer(DArray theta, StopReason stop, String detail) {
        int l = trace.size() - 1;
        Iterate last = trace.get(l);
        trace.set(l, new Iterate(last.t(), last.loss(), last.gradNormSq(), last.alpha(), last.flag(),
                last.solverIterations(), last.r(), last.rH(), last.gamma(), last.candidates(), seconds(),
                last.hvps(), last.gradients()));
        if (stop != StopReason.ITERATION_CAP && stop != StopReason.GRAD_FLOOR) {
            warnings.add(method + " stopped: " + (detail != null ? detail
                    : stop.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')));
        }
        return finish(theta, stop, null);
    }
}
