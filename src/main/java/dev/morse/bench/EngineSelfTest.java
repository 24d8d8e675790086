package dev.morse.bench;

import dev.morse.ad.Linearization;
import dev.morse.ad.Plan;
import dev.morse.ad.Program;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.backend.Inertia;
import dev.morse.backend.LinalgStatus;
import dev.morse.backend.cuda.SelfTest;
import dev.morse.index.HessianOperator;
import dev.morse.newton.NewtonMr;
import dev.morse.optim.Run;
import dev.morse.nn.Activation;
import dev.morse.nn.Loss;
import dev.morse.nn.Mlp;
import java.util.List;
import java.util.Random;

/**
 * Engine-level checks of one backend against a reference backend (the CPU): value, gradient,
 * HVP, hvpBlock, dense Hessian, its spectrum and inertia, two Newton-MR steps, on a small MLP
 * of every primitive kind an MLP uses; plus the time of one marginal HVP on each backend; and,
 * in the standard test, value, gradient, HVP, hvpBlock and dense Hessian of two small networks
 * that between them use every activation of {@link Activation} (per layer, and at the output)
 * and every {@link Loss} with both reductions. Used by {@code morse selftest} and by the engine
 * conformance tests.
 */
public final class EngineSelfTest implements SelfTest.Extension {
    /** Relative agreement expected between backends: different summation orders, O(n) sums of O(1) terms. */
    public static final double TOL = 1e-10;

    private final String network;
    private final boolean activations;

    public EngineSelfTest(String network) {
        this(network, false);
    }

    /** {@code network} (null: none) and, when {@code activations}, the activation networks. */
    public EngineSelfTest(String network, boolean activations) {
        this.network = network;
        this.activations = activations;
    }

    /**
     * The default: small enough for any device, every MLP primitive (affine, swish, cross-entropy,
     * l2-free), then every activation and loss.
     */
    public static EngineSelfTest standard() {
        return new EngineSelfTest("16-12-8-10@500", true);
    }

    /** A named network program with its point. */
    private record Case(String name, Program program, double[] theta) {
    }

    /** Two networks that use every activation (hidden and output) and every loss, mean and sum. */
    private static List<Case> activationCases() {
        Random r = new Random(31);
        int rows = 60;
        double[] x = new double[rows * 8];
        for (int i = 0; i < x.length; i++) {
            x[i] = 1.5 * r.nextGaussian();
        }
        double[] t = new double[rows * 4];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextDouble();
        }
        Mlp a = Mlp.builder().widths(8, 7, 6, 6, 6, 5, 4).activations(Activation.GELU, Activation.ELU,
                Activation.LEAKY_RELU, Activation.SELU, Activation.MISH).loss(Loss.BCE_WITH_LOGITS)
                .reduction(Loss.Reduction.SUM).l2(1e-3).build();
        Mlp b = Mlp.builder().widths(8, 6, 6, 6, 6, 4).activations(Activation.SIGMOID, Activation.SOFTPLUS,
                Activation.RELU, Activation.TANH).outputActivation(Activation.GELU).loss(Loss.MSE).build();
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = r.nextInt(4);
        }
        Mlp c = Mlp.builder().widths(8, 6, 4).activation(Activation.IDENTITY).loss(Loss.CROSS_ENTROPY)
                .reduction(Loss.Reduction.SUM).build();
        return List.of(new Case(a.toString(), a.program(x, rows, t), a.init(32, 0.3)),
                new Case(b.toString(), b.program(x, rows, t), b.init(33, 0.3)),
                new Case(c.toString(), c.program(x, rows, labels), c.init(34, 0.3)));
    }

    static double relErr(double[] ref, double[] a) {
        double num = 0;
        double den = 1e-300;
        for (int i = 0; i < ref.length; i++) {
            num = Math.max(num, Math.abs(ref[i] - a[i]));
            den = Math.max(den, Math.abs(ref[i]));
        }
        return num / den;
    }

    private static double[] get(Backend b, DArray a, long off, int n) {
        double[] v = new double[n];
        b.download(a, off, v, 0, n);
        return v;
    }

    /** The quantities one backend computes, downloaded. */
    private record Computed(double value, double[] grad, double[] hv, double[] hvAgain, double[] block, double[] hess,
                            double[] eig, Inertia inertia, double hvpMillis, double[] newtonTheta,
                            double newtonGradNormSq, boolean replayed) {
    }

    /** Two Newton-MR steps (matrix-free, MINRES-QLP on the device) from θ: the end point and its ‖g‖². */
    private static double[] newtonSteps(Plan plan, double[] th, double[] g2) {
        try (NewtonMr nm = new NewtonMr(plan, NewtonMr.Options.defaults().withMaxIterations(2)
                .withHessian(HessianOperator.Mode.MATRIX_FREE))) {
            Run run = nm.run(th);
            g2[0] = run.finalGradNormSq();
            return run.theta();
        }
    }

    private static Computed compute(Backend b, Program p, double[] th, double[] v, int k) {
        int n = p.nParams();
        try (Plan plan = Plan.compile(p, b, Plan.Options.defaults().withMaxBlock(4));
             DArray dth = b.alloc(n); DArray dv = b.alloc((long) k * n); DArray out = b.alloc((long) k * n);
             DArray h = b.alloc((long) n * n); DArray w = b.alloc(n)) {
            b.upload(th, 0, dth, 0, n);
            b.upload(v, 0, dv, 0, k * n);
            Linearization lin = plan.at(dth, 0);
            double value = lin.value();
            double[] grad = get(b, lin.gradient(), 0, n);
            lin.hvp(dv, 0, out, 0);
            double[] hv = get(b, out, 0, n);
            // the second HVP with k = 1 is the one a CUDA plan replays from its graph (if kept)
            lin.hvp(dv, 0, out, 0);
            double[] hvAgain = get(b, out, 0, n);
            lin.hvpBlock(k, dv, 0, out, 0);
            double[] block = get(b, out, 0, k * n);
            lin.hessian(h, 0);
            double[] hess = get(b, h, 0, n * n);
            // time one marginal HVP (after a warm-up)
            for (int i = 0; i < 3; i++) {
                lin.hvp(dv, 0, out, 0);
            }
            b.synchronize();
            long t0 = System.nanoTime();
            int reps = 10;
            for (int i = 0; i < reps; i++) {
                lin.hvp(dv, 0, out, 0);
            }
            b.synchronize();
            double ms = (System.nanoTime() - t0) * 1e-6 / reps;
            LinalgStatus st = b.syevd(n, h, 0, w, 0, false);
            double[] eig = st.ok() ? get(b, w, 0, n) : null;
            b.upload(hess, 0, h, 0, n * n);
            Inertia in = b.inertia(n, h, 0);
            double[] g2 = new double[1];
            double[] nt = newtonSteps(plan, th, g2);
            boolean replayed = plan.replayed(1);
            return new Computed(value, grad, hv, hvAgain, block, hess, eig, in, ms, nt, g2[0], replayed);
        }
    }

    @Override
    public void run(Backend device, Backend reference, List<SelfTest.Row> rows, List<SelfTest.Timing> timings) {
        if (network != null) {
            runNetwork(device, reference, rows, timings);
        }
        if (activations) {
            for (Case cs : activationCases()) {
                int n = cs.program().nParams();
                Random r = new Random(35);
                int k = 5;
                double[] v = new double[k * n];
                for (int i = 0; i < v.length; i++) {
                    v[i] = r.nextGaussian();
                }
                Computed d = compute(device, cs.program(), cs.theta(), v, k);
                Computed c = compute(reference, cs.program(), cs.theta(), v, k);
                add(rows, "engine value " + cs.name(), relErr(new double[] {c.value}, new double[] {d.value}));
                add(rows, "engine gradient", relErr(c.grad, d.grad));
                add(rows, "engine hvp", relErr(c.hv, d.hv));
                add(rows, "engine hvpBlock(k=5, capacity 4)", relErr(c.block, d.block));
                add(rows, "engine dense Hessian", relErr(c.hess, d.hess));
            }
        }
    }

    private void runNetwork(Backend device, Backend reference, List<SelfTest.Row> rows, List<SelfTest.Timing> timings) {
        HvpBench.Net net = HvpBench.Net.parse(network);
        Program p = net.program(11);
        int n = p.nParams();
        Random r = new Random(12);
        double[] th = net.mlp().init(13);
        int k = 5;
        double[] v = new double[k * n];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        Computed d = compute(device, p, th, v, k);
        Computed c = compute(reference, p, th, v, k);
        add(rows, "engine value " + net.name(), relErr(new double[] {c.value}, new double[] {d.value}));
        add(rows, "engine gradient", relErr(c.grad, d.grad));
        add(rows, "engine hvp", relErr(c.hv, d.hv));
        add(rows, "engine hvp, again (replayed graph where kept)", relErr(c.hv, d.hvAgain));
        add(rows, "engine hvpBlock(k=5, capacity 4)", relErr(c.block, d.block));
        add(rows, "engine dense Hessian", relErr(c.hess, d.hess));
        if (c.eig != null && d.eig != null) {
            add(rows, "Hessian spectrum (syevd)", relErr(c.eig, d.eig));
        } else {
            rows.add(new SelfTest.Row("Hessian spectrum (syevd)", Double.NaN, TOL, false, "syevd failed"));
        }
        boolean same = c.inertia.negative() == d.inertia.negative() && c.inertia.positive() == d.inertia.positive();
        rows.add(new SelfTest.Row("Hessian inertia (sytrf)", same ? 0.0 : 1.0, 0.0, same,
                "neg/zero/pos " + d.inertia.negative() + "/" + d.inertia.zero() + "/" + d.inertia.positive()));
        add(rows, "Newton-MR, 2 steps: θ", relErr(c.newtonTheta, d.newtonTheta));
        add(rows, "Newton-MR, 2 steps: ‖g‖²", relErr(new double[] {c.newtonGradNormSq}, new double[] {d.newtonGradNormSq}));
        timings.add(new SelfTest.Timing("marginal HVP " + net.name() + " (N = " + n + ")"
                + (d.replayed ? ", CUDA graph" : ""), device.name(), d.hvpMillis));
        timings.add(new SelfTest.Timing("marginal HVP " + net.name() + " (N = " + n + ")", reference.name(),
                c.hvpMillis));
    }

    private static void add(List<SelfTest.Row> rows, String op, double err) {
        rows.add(new SelfTest.Row(op, err, TOL, err <= TOL, ""));
    }
}
