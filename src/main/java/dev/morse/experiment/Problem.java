package dev.morse.experiment;

import dev.morse.ad.Objective;
import dev.morse.ad.Plan;
import dev.morse.ad.Program;
import dev.morse.ad.Shards;
import dev.morse.ad.Tracer;
import dev.morse.ad.Value;
import dev.morse.backend.Backend;
import dev.morse.data.Dataset;
import dev.morse.data.Gaussian;
import dev.morse.data.Mnist;
import dev.morse.data.Preprocess;
import dev.morse.nn.Activation;
import dev.morse.nn.Loss;
import dev.morse.nn.Mlp;
import dev.morse.problems.CustomProblem;
import dev.morse.problems.DeepLinearAutoencoder;
import dev.morse.problems.Quartic;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * A problem built from a spec: the traced loss, how to draw an initial θ, and, for the deep
 * linear autoencoder, its analytic critical points. MSE networks whose output width equals
 * their input width are autoencoders: the targets are the inputs (E3, E5).
 */
public final class Problem {
    private final ProblemKind kind;
    private final String description;
    private final Program program;
    private final Mlp mlp;
    private final DeepLinearAutoencoder dlae;
    private final CustomProblem custom;
    /** The loss split by rows into s programs (an MLP on data), or null where it is not split. */
    private IntFunction<List<Program>> split;
    private int rows;
    /** The spec's {@code problem.shards}: a count, or {@link Spec.ProblemSpec#AUTO_SHARDS}. */
    private int shardsAsked = Spec.ProblemSpec.AUTO_SHARDS;

    private Problem(ProblemKind kind, String description, Program program, Mlp mlp, DeepLinearAutoencoder dlae) {
        this(kind, description, program, mlp, dlae, null);
    }

    /** This problem, whose loss over {@code rows} examples {@code split} divides by rows (for {@link Shards}). */
    private Problem splitBy(int rows, int asked, IntFunction<List<Program>> split) {
        if (asked > rows) {
            throw new SpecException("problem.shards", asked + " shards for " + rows + " examples: at most one per example");
        }
        this.rows = rows;
        this.shardsAsked = asked;
        this.split = split;
        return this;
    }

    /**
     * The shards its loss runs in on {@code b}: the spec's {@code problem.shards}, or by default
     * {@link Shards#auto} (one per core the backend gives a lane, for an MLP on enough examples;
     * else 1). Problems that are not an MLP on data run unsplit.
     */
    public int shards(Backend b) {
        if (split == null) {
            return 1;
        }
        return shardsAsked == Spec.ProblemSpec.AUTO_SHARDS ? Shards.auto(b, rows) : shardsAsked;
    }

    /** The loss compiled for {@code b}: a {@link Plan}, or {@link Shards} when {@link #shards} is more than 1. */
    public Objective compile(Backend b) {
        int s = shards(b);
        return s == 1 ? Plan.compile(program, b) : Shards.compile(split.apply(s), b);
    }

    private Problem(ProblemKind kind, String description, Program program, Mlp mlp, DeepLinearAutoencoder dlae,
                    CustomProblem custom) {
        this.kind = kind;
        this.description = description;
        this.program = program;
        this.mlp = mlp;
        this.dlae = dlae;
        this.custom = custom;
    }

    /** The user's problem behind a {@code kind: java} spec, or null. */
    public CustomProblem custom() {
        return custom;
    }

    /** A user problem's known critical points (checked to have length N), or an empty list. */
    public List<double[]> knownCriticalPoints() {
        if (custom == null) {
            return List.of();
        }
        List<double[]> pts = custom.criticalPoints();
        for (double[] p : pts) {
            if (p.length != nParams()) {
                throw new SpecException("problem.class", custom.getClass().getName() + ".criticalPoints(): a point of "
                        + "length " + p.length + ", but N = " + nParams());
            }
        }
        return pts;
    }

    public ProblemKind kind() {
        return kind;
    }

    public String description() {
        return description;
    }

    public Program program() {
        return program;
    }

    public int nParams() {
        return program.nParams();
    }

    /** The deep linear autoencoder behind this problem, or null. */
    public DeepLinearAutoencoder deepLinearAutoencoder() {
        return dlae;
    }

    /** Analytic critical points (deep linear autoencoder), or an empty list. */
    public List<DeepLinearAutoencoder.AnalyticPoint> analyticPoints() {
        return dlae == null ? List.of() : dlae.analyticPoints();
    }

    /** A seeded initial θ: LeCun-normal weights for networks (scaled), N(0, scale²/fan_in) for the linear autoencoder. */
    public double[] init(long seed, double scale) {
        if (mlp != null || custom != null) {
            double[] th = mlp != null ? mlp.init(seed) : custom.init(seed);
            if (th == null || th.length != nParams()) {
                throw new SpecException("problem.class", custom.getClass().getName() + ".init(seed): expected "
                        + nParams() + " values, got " + (th == null ? "null" : th.length));
            }
            for (int i = 0; i < th.length; i++) {
                th[i] *= scale;
            }
            return th;
        }
        Random r = new Random(seed);
        double[] th = new double[nParams()];
        if (dlae != null) {
            int kp = dlae.k() * dlae.p();
            for (int i = 0; i < th.length; i++) {
                th[i] = scale * r.nextGaussian() / Math.sqrt(i < kp ? dlae.p() : dlae.k());
            }
        } else {
            for (int i = 0; i < th.length; i++) {
                th[i] = scale * r.nextGaussian();
            }
        }
        return th;
    }

    /**
     * A seeded initial θ with every parameter (weights and biases) i.i.d. N(0, std²); a NaN std
     * means 1/√N, the scale of the authors' {@code Network.initialize} (autocrit), from which
     * their trajectories started.
     */
    public double[] initNormal(long seed, double std) {
        int n = nParams();
        double sd = Double.isNaN(std) ? 1 / Math.sqrt(n) : std;
        Random r = new Random(seed);
        double[] th = new double[n];
        for (int i = 0; i < n; i++) {
            th[i] = sd * r.nextGaussian();
        }
        return th;
    }

    /** The seeded initial θ a start spec asks for ({@code init.scheme}). */
    public double[] init(long seed, Spec.StartSpec s) {
        return s.initScheme() == Spec.StartSpec.InitScheme.NORMAL ? initNormal(seed, s.initStd()) : init(seed, s.initScale());
    }

    /** Adds {@code shift} to every hidden-layer bias of θ (E9: pushes pre-activations far negative). */
    public void shiftHiddenBiases(double[] theta, double shift) {
        if (mlp == null) {
            throw new SpecException("start.bias_shift", "applies to networks only, not to " + kind.key());
        }
        try {
            mlp.shiftHiddenBiases(theta, shift);
        } catch (IllegalArgumentException e) {
            throw new SpecException("start.bias_shift", e.getMessage());
        }
    }

    /** Builds the problem; {@code dataDir} (may be null) overrides the spec's MNIST directory. */
    public static Problem build(Spec.ProblemSpec p, Path dataDir) {
        switch (p.kind()) {
            case QUARTIC:
                return new Problem(ProblemKind.QUARTIC, "quartic f(x, y) = x⁴/4 − 3x² + 9x + 0.9y⁴ + 5y² + 40",
                        Quartic.program(), null, null);
            case DEEP_LINEAR_AUTOENCODER: {
                Dataset ds = data(p.data(), dataDir);
                DeepLinearAutoencoder ae = new DeepLinearAutoencoder(ds.features(), ds.n(), ds.d(), p.hidden());
                return new Problem(p.kind(), "deep linear autoencoder " + ds.d() + "-" + p.hidden() + "-" + ds.d()
                        + " on " + ds.description(), ae.program(), null, ae);
            }
            case JAVA: {
                CustomProblem cp = JavaProblems.instantiate(p);
                String name = cp.getClass().getName();
                Program prog;
                try {
                    Tracer t = new Tracer(cp.nParams());
                    Value loss = cp.loss(t);
                    if (p.l2() > 0) {
                        loss = loss.add(t.theta().l2("half".equals(p.l2Form()) ? p.l2() / 2 : p.l2()));
                    }
                    prog = t.program(loss);
                } catch (RuntimeException e) {
                    throw new SpecException("problem.class", name + ": tracing the loss failed: " + e.getMessage());
                }
                return new Problem(ProblemKind.JAVA, cp.description() + " (" + name + ")", prog, null, null, cp);
            }
            case SINE_REGRESSION: {
                int n = p.data().n();
                double[] x = new double[n];
                double[] y = new double[n];
                for (int i = 0; i < n; i++) {
                    x[i] = n == 1 ? 0.0 : (double) i / (n - 1);
                    y[i] = 2.0 * Math.sin(4.0 * Math.PI * x[i]);
                }
                Mlp m = mlp(p);
                if (m.inputs() != 1 || m.outputs() != 1) {
                    throw new SpecException("problem.widths", "sine regression maps 1 input to 1 output");
                }
                return new Problem(p.kind(), m + " on v(x) = 2 sin(4πx), " + n + " points on [0, 1]",
                        m.mse(x, n, y), m, null).splitBy(n, p.shards(), k -> m.programs(x, n, y, k));
            }
            default: {
                Dataset ds = data(p.data(), dataDir);
                Mlp m = mlp(p);
                if (ds.d() != m.inputs()) {
                    throw new SpecException("problem.widths", "the input width " + m.inputs()
                            + " does not match the data's " + ds.d() + " features");
                }
                Program prog;
                IntFunction<List<Program>> split;
                if (m.loss() == Loss.MSE) {
                    if (m.outputs() != ds.d()) {
                        throw new SpecException("problem.widths", "an MSE network here is an autoencoder: the output "
                                + "width must equal the " + ds.d() + " input features");
                    }
                    prog = m.mse(ds.features(), ds.n(), ds.features());
                    split = k -> m.programs(ds.features(), ds.n(), ds.features(), k);
                } else {
                    if (!ds.hasLabels()) {
                        throw new SpecException("problem.loss", "cross-entropy needs labels; " + ds.description()
                                + " has none");
                    }
                    int classes = 0;
                    for (int y : ds.labels()) {
                        classes = Math.max(classes, y + 1);
                    }
                    if (m.loss() == Loss.BCE_WITH_LOGITS && m.outputs() == 1) {
                        if (classes > 2) {
                            throw new SpecException("problem.widths", "bce with one output needs labels 0 and 1; the "
                                    + "data have " + classes + " classes (give one output per class)");
                        }
                    } else if (classes > m.outputs()) {
                        throw new SpecException("problem.widths", "the output width " + m.outputs() + " is less than the "
                                + classes + " classes in the data");
                    }
                    prog = m.crossEntropy(ds.features(), ds.n(), ds.labels());
                    split = k -> m.programs(ds.features(), ds.n(), ds.labels(), k);
                }
                return new Problem(p.kind(), m + " on " + ds.description(), prog, m, null).splitBy(ds.n(), p.shards(), split);
            }
        }
    }

    private static Mlp mlp(Spec.ProblemSpec p) {
        double l2 = p.l2();
        if ("mean".equals(p.l2Form())) {
            // λ·mean(θ²) = (λ/N)‖θ‖² (autocrit's l2_regularizer)
            l2 /= mlpBuilder(p).build().nParams();
        } else if ("half".equals(p.l2Form())) {
            l2 /= 2; // (λ/2)‖θ‖²
        }
        return mlpBuilder(p).l2(l2).build();
    }

    private static Mlp.Builder mlpBuilder(Spec.ProblemSpec p) {
        Mlp.Builder b = Mlp.builder().widths(p.widths()).bias(p.bias());
        if (p.activations() != null) {
            b.activations(p.activations().stream().map(Activation::parse).toArray(Activation[]::new));
        } else {
            b.activation(Activation.parse(p.activation()));
        }
        return b.outputActivation(Activation.parse(p.outputActivation())).loss(Loss.parse(p.loss()))
                .reduction(Loss.Reduction.parse(p.reduction()));
    }

    /** Loads and prepares the data a spec names (all steps seeded by data.seed). */
    public static Dataset data(Spec.DataSpec d, Path dataDir) {
        switch (d.source()) {
            case "gaussian": {
                double[] var = new double[d.features()];
                for (int i = 0; i < var.length; i++) {
                    var[i] = i + 1.0;
                }
                return Gaussian.diagonal(d.n(), var, d.seed());
            }
            case "mnist": {
                Path dir = dataDir != null ? dataDir : (d.dir() == null ? null : Path.of(d.dir()));
                Dataset ds = Mnist.load(dir, d.split().equals("test") ? Mnist.Split.TEST : Mnist.Split.TRAIN);
                if (d.classes() != null) {
                    ds = Preprocess.relabel(Preprocess.classSubset(ds, d.classes()));
                }
                if (d.n() > 0) {
                    if (d.n() > ds.n()) {
                        throw new SpecException("problem.data.n", "asks for " + d.n() + " examples but only " + ds.n()
                                + " are available");
                    }
                    ds = Preprocess.randomSubset(ds, d.n(), d.seed());
                }
                int side = 28;
                if (d.crop() > 0) {
                    ds = Preprocess.centerCrop(ds, side, side, d.crop(), d.crop());
                    side = d.crop();
                }
                if (d.resize() > 0) {
                    ds = Preprocess.blockAverage(ds, side, side, d.resize(), d.resize());
                }
                if (d.zscore()) {
                    ds = Preprocess.zScore(ds);
                } else if (d.center()) {
                    ds = Preprocess.center(ds);
                }
                if (d.pca() > 0) {
                    ds = Preprocess.pca(ds, d.pca());
                }
                if (d.shuffleLabels()) {
                    ds = Preprocess.shuffleLabels(ds, d.seed() + 1);
                }
                return ds;
            }
            default:
                throw new SpecException("problem.data.source", "\"" + d.source() + "\" is not a data set for this problem");
        }
    }
}
