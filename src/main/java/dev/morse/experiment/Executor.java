package dev.morse.experiment;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.morse.ad.Linearization;
import dev.morse.ad.Objective;
import dev.morse.backend.Backend;
import dev.morse.index.HessianOperator;
import dev.morse.index.HessianRoute;
import dev.morse.index.IndexEstimator;
import dev.morse.index.MorseIndex;
import dev.morse.index.PointClass;
import dev.morse.optim.Iterate;
import dev.morse.optim.Run;
import dev.morse.optim.IterateListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs jobs on one worker: its own backend, the problem's plan compiled once, one solver
 * instance per method (their workspaces reused run after run). After a run it evaluates
 * the end point: loss, ‖g‖², Hessian spectrum and Morse index (when N allows), the
 * classification from the last iterate's ‖g‖², r and r_H, and for the deep linear
 * autoencoder whether (loss, index) is an analytic critical point's.
 */
public final class Executor implements RunExecutor {
    /** Relative loss tolerance for matching an analytic critical point: ‖g‖² < 1e-10 puts the loss within ~1e-8. */
    static final double ANALYTIC_LOSS_TOL = 1e-6;

    private final Spec spec;
    private final Problem problem;
    private final List<StartPoints.StartPoint> starts;
    private final List<AnalyticTable.Row> analytic;
    private final Path out;
    private final Backend backend;
    private final Objective plan;
    /** The shards the loss runs in ({@link Problem#shards}: 1 unless one run has the cores to itself). */
    private final int shards;
    /** For two-parameter problems, θ at each iterate (the trajectory plot); else null. */
    private final PathRecorder path;
    /** One solver per method (its workspaces reused from run to run). */
    private final Map<String, Solver> solvers = new HashMap<>();

    /** The index route (null: no index), its operator and workspaces (allocated at the first end point). */
    private final IndexEstimator.Method indexMethod;
    private HessianOperator indexH;
    private IndexEstimator estimator;
    /** The first iterate below each of record.cutoffs, per run (null when none are asked for). */
    private final Cutoffs cutoffs;

    public Executor(Spec spec, Problem problem, List<StartPoints.StartPoint> starts, List<AnalyticTable.Row> analytic,
                    Path out, Backend backend) {
        this(spec, problem, starts, analytic, out, backend, MemoryCheck.route(spec, problem.nParams(), 1, backend));
    }

    /** With the index route resolved for the whole batch ({@link MemoryCheck#require}); null for none. */
    public Executor(Spec spec, Problem problem, List<StartPoints.StartPoint> starts, List<AnalyticTable.Row> analytic,
                    Path out, Backend backend, IndexEstimator.Method indexMethod) {
        this.indexMethod = indexMethod;
        this.spec = spec;
        this.problem = problem;
        this.starts = starts;
        this.analytic = analytic;
        this.out = out;
        this.backend = backend;
        this.shards = problem.shards(backend);
        this.plan = problem.compile(backend);
        this.path = plan.n() == 2 ? new PathRecorder() : null;
        double[] eps = spec.record().cutoffs();
        this.cutoffs = eps.length == 0 ? null : new Cutoffs(eps);
    }

    @Override
    public RunResult execute(Job job) {
        Spec.MethodSpec m = spec.methods().get(job.methodIndex());
        StartPoints.StartPoint sp = starts.get(job.run());
        IterateListener listener = IterateListener.NONE;
        if (path != null) {
            path.reset();
            listener = path;
        }
        if (cutoffs != null) {
            cutoffs.reset();
            listener = listener.andThen(cutoffs);
        }
        Solver s = solvers.computeIfAbsent(m.name(), k -> m.options().solver(plan));
        Run run = s.run(sp.theta(), listener);
        RunResult result = evaluate(job, m, sp, run);
        if (cutoffs != null) {
            cutoffs.put(result.fields());
        }
        return result;
    }

    private RunResult evaluate(Job job, Spec.MethodSpec m, StartPoints.StartPoint sp, Run run) {
        ObjectNode f = RunsFile.JSON.createObjectNode();
        int n = plan.n();
        double[] th = run.theta();
        Linearization lin = plan.at(th);
        double loss = lin.value();
        double g2 = lin.gradNormSq();
        Iterate last = run.last();
        f.put("problem", problem.description());
        f.put("backend", backend.name());
        f.put("shards", shards);
        f.put("iterations", run.trace().size() - 1);
        f.put("seconds", run.seconds());
        f.put("stop", run.stop().name().toLowerCase(java.util.Locale.ROOT));
        ObjectNode start = f.putObject("start");
        start.put("trajectory", sp.trajectory());
        start.put("step", sp.step());
        if (Double.isFinite(sp.loss())) {
            start.put("loss", sp.loss());
        }
        start.put("noised", sp.noised());
        if (!lin.finite()) {
            f.put("status", RunResult.FAILED);
            f.put("reason", "non-finite loss or gradient at the end point (loss " + loss + ", ‖g‖² " + g2 + ")");
            putNum(f, "loss", loss);
            putNum(f, "grad_norm_sq", g2);
            f.putNull("index");
        } else {
            // the thesis text's definitions (‖g‖² < 1e-10; r with ‖H‖_F, r_H) and the figures'
            // (‖g‖² < 1e-8; MINRES-QLP's relres); record.status picks the one called "status"
            PointClass text = PointClass.classify(g2, last.r(), last.rH());
            PointClass figures = PointClass.classify(g2, run.finalRelres(), 0.0, PointClass.Criteria.figures());
            f.put("status", (spec.record().status() == Spec.RecordSpec.Status.FIGURES ? figures : text).key());
            f.put("status_text", text.key());
            f.put("status_figures", figures.key());
            f.put("loss", loss);
            f.put("grad_norm_sq", g2);
            IndexEstimator.Estimate ie = indexAt(lin);
            if (ie != null && ie.ok()) {
                putIndex(f, ie);
                if (ie.spectrum() != null) {
                    f.put("index_1e3", ie.spectrum().index(MorseIndex.FIGURES_THRESHOLD).index());
                    String rel = "spectra/" + job.stem() + ".csv";
                    writeSpectrum(out.resolve(rel), ie.spectrum().eigenvalues());
                    f.put("spectrum", rel);
                }
                if (ie.quadrature() != null) {
                    String rel = "spectra/" + job.stem() + "-density.csv";
                    writeDensity(out.resolve(rel), ie.quadrature());
                    f.put("density", rel);
                }
                if (!analytic.isEmpty() && ie.exact()) {
                    f.put("analytic_match", AnalyticTable.matches(analytic, loss, ie.index(),
                            ANALYTIC_LOSS_TOL, 0.5 / n));
                }
            } else {
                f.putNull("index");
                if (ie != null) {
                    f.put("index_method", ie.method().key());
                    f.put("spectrum_status", ie.status());
                }
            }
        }
        if (spec.record().theta()) {
            String rel = "thetas/" + job.stem() + ".txt";
            StringBuilder sb = new StringBuilder();
            for (double v : th) {
                sb.append(v).append('\n');
            }
            try {
                Files.createDirectories(out.resolve("thetas"));
                RunsFile.writeAtomically(out.resolve(rel), sb.toString());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            f.put("theta", rel);
        }
        putNum(f, "final_r", last.r());
        putNum(f, "final_r_H", last.rH());
        if (spec.record().flatness() == Spec.RecordSpec.Flatness.LAST) {
            f.put("flatness", "last"); // r, r_H at the last iterate only: no max_r
            f.putNull("max_r");
        } else {
            putNum(f, "max_r", run.maxR());
        }
        putNum(f, "final_relres", run.finalRelres());
        putNum(f, "max_relres", run.maxRelresLeastSquares());
        putRoute(f, run.hessianRoute());
        if (!run.warnings().isEmpty()) {
            ArrayNode w = f.putArray("warnings");
            run.warnings().forEach(w::add);
        }
        if (!spec.record().traces()) {
            return new RunResult(f, new String[0], List.of());
        }
        boolean twoD = path != null && run.trace().stream().allMatch(it -> path.at(it.t()) != null);
        List<String> head = new ArrayList<>(List.of("iteration", "loss", "grad_norm_sq", "alpha", "flag",
                "solver_iterations", "r", "r_H", "gamma", "seconds", "hvps", "gradients", "relres"));
        if (twoD) {
            head.add("theta0");
            head.add("theta1");
        }
        List<double[]> rows = new ArrayList<>();
        for (int i = 0; i < run.trace().size(); i++) {
            Iterate it = run.trace().get(i);
            double[] row = new double[head.size()];
            row[0] = it.t();
            row[1] = it.loss();
            row[2] = it.gradNormSq();
            row[3] = it.alpha();
            row[4] = it.flag() == null ? Double.NaN : it.flag().code;
            row[5] = it.solverIterations();
            row[6] = it.r();
            row[7] = it.rH();
            row[8] = it.gamma();
            row[9] = it.seconds();
            row[10] = it.hvps();
            row[11] = it.gradients();
            row[12] = it.relres();
            if (twoD) {
                double[] th2 = path.at(it.t());
                row[13] = th2[0];
                row[14] = th2[1];
            }
            rows.add(row);
        }
        return new RunResult(f, head.toArray(new String[0]), rows);
    }

    /**
     * The Newton methods' Hessian route: {@code hessian_route} (dense, matrix-free), {@code
     * hessian_route_basis} (forced, measured, revised), and when measured {@code hessian_costs}
     * (ms per unit and per predicted step; records before these fields simply lack them).
     */
    static void putRoute(ObjectNode f, HessianRoute.Decision d) {
        if (d == null) {
            return;
        }
        f.put("hessian_route", d.route().key());
        f.put("hessian_route_basis", d.basis().text());
        HessianRoute.Costs c = d.costs();
        if (c != null) {
            ObjectNode o = f.putObject("hessian_costs");
            putNum(o, "hvp_ms", 1e3 * c.hvp());
            putNum(o, "block_ms_per_direction", 1e3 * c.blockPerDirection());
            putNum(o, "assembly_ms", 1e3 * c.assembly());
            putNum(o, "gemv_ms", 1e3 * c.gemv());
            o.put("dense_fits", c.denseFits());
            o.put("applications_per_step", d.expected());
            putNum(o, "dense_step_ms", 1e3 * c.denseStep(d.expected()));
            putNum(o, "matrix_free_step_ms", 1e3 * c.matrixFreeStep(d.expected()));
            o.put("first_route", d.first().key());
        }
    }

    /**
     * The Morse index at a linearization by the spec's route ({@code index:}, resolved before the
     * batch by {@link MemoryCheck}), or null when the spec asks for none.
     */
    private IndexEstimator.Estimate indexAt(Linearization lin) {
        if (indexMethod == null) {
            return null;
        }
        if (estimator == null) {
            indexH = new HessianOperator(backend, plan.n(), HessianOperator.Mode.MATRIX_FREE);
            estimator = new IndexEstimator(backend, plan.n(), spec.index().options(spec.seed() + 1), indexMethod);
        }
        indexH.bind(lin);
        return estimator.estimate(indexH);
    }

    /** The index keys of a record: method, estimate, band, thresholds (used and asked), extremes, cost. */
    public static void putIndex(ObjectNode f, IndexEstimator.Estimate ie) {
        f.put("index_method", ie.method().key());
        f.put("index", ie.index());
        f.put("index_low", ie.low());
        f.put("index_high", ie.high());
        f.put("index_threshold", ie.threshold());
        f.put("index_threshold_asked", ie.thresholdAsked());
        f.put("index_exact", ie.exact());
        if (ie.negative() >= 0) {
            f.put("negative_eigenvalues", ie.negative());
        }
        putNum(f, "min_eig", ie.minEig());
        putNum(f, "max_eig", ie.maxEig());
        f.put("index_hvps", ie.hvps());
        f.put("index_seconds", ie.seconds());
        if (ie.quadrature() != null) {
            com.fasterxml.jackson.databind.node.ArrayNode st = f.putArray("index_steps");
            for (int k : ie.steps()) {
                st.add(k);
            }
            f.put("index_rule", ie.rule());
        }
    }

    /**
     * Thesis Fig 3.3: each run "truncated at the first T such that ‖∇L(θ_T)‖² < ε", for each
     * cutoff ε of the spec (∞ is the start point), with the loss and Morse index there and, for
     * the deep linear autoencoder, whether they are an analytic critical point's. The index
     * costs one dense eigendecomposition per cutoff crossed (when the spec records spectra).
     */
    private final class Cutoffs implements IterateListener {
        private final double[] eps;
        private final int[] iteration;
        private final double[] loss;
        private final double[] gradNormSq;
        private final double[] index;

        Cutoffs(double[] eps) {
            this.eps = eps;
            int k = eps.length;
            iteration = new int[k];
            loss = new double[k];
            gradNormSq = new double[k];
            index = new double[k];
        }

        void reset() {
            java.util.Arrays.fill(iteration, -1);
        }

        @Override
        public void iterate(int t, Linearization lin) {
            if (!lin.finite()) {
                return;
            }
            double s = lin.gradNormSq();
            double idx = Double.NaN;
            boolean evaluated = false;
            for (int i = 0; i < eps.length; i++) {
                if (iteration[i] >= 0 || !(s < eps[i])) {
                    continue;
                }
                if (!evaluated) {
                    evaluated = true;
                    IndexEstimator.Estimate ie = indexAt(lin);
                    if (ie != null && ie.ok()) {
                        idx = ie.index();
                    }
                }
                iteration[i] = t;
                loss[i] = lin.value();
                gradNormSq[i] = s;
                index[i] = idx;
            }
        }

        /** Adds the "cutoffs" list to a run's record. */
        void put(ObjectNode f) {
            ArrayNode a = f.putArray("cutoffs");
            for (int i = 0; i < eps.length; i++) {
                ObjectNode c = a.addObject();
                if (Double.isInfinite(eps[i])) {
                    c.put("cutoff", "inf");
                } else {
                    c.put("cutoff", eps[i]);
                }
                if (iteration[i] < 0) {
                    c.putNull("iteration");
                    continue;
                }
                c.put("iteration", iteration[i]);
                c.put("loss", loss[i]);
                c.put("grad_norm_sq", gradNormSq[i]);
                putNum(c, "index", index[i]);
                if (!analytic.isEmpty() && Double.isFinite(index[i])) {
                    c.put("analytic_match", AnalyticTable.matches(analytic, loss[i], index[i], ANALYTIC_LOSS_TOL,
                            0.5 / plan.n()));
                }
            }
        }
    }

    private static void putNum(ObjectNode f, String key, double v) {
        if (Double.isFinite(v)) {
            f.put(key, v);
        } else {
            f.putNull(key);
        }
    }

    /** The SLQ density (Gaussian-smoothed, {@link dev.morse.index.Slq.Estimate#densityGrid}) as CSV. */
    private static void writeDensity(Path file, dev.morse.index.Slq.Estimate q) {
        double[][] g = q.densityGrid(400);
        StringBuilder sb = new StringBuilder("eigenvalue,density\n");
        for (int i = 0; i < g[0].length; i++) {
            sb.append(g[0][i]).append(',').append(g[1][i]).append('\n');
        }
        try {
            Files.createDirectories(file.getParent());
            RunsFile.writeAtomically(file, sb.toString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void writeSpectrum(Path file, double[] eig) {
        StringBuilder sb = new StringBuilder("eigenvalue\n");
        for (double e : eig) {
            sb.append(e).append('\n');
        }
        try {
            Files.createDirectories(file.getParent());
            RunsFile.writeAtomically(file, sb.toString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (Solver sv : solvers.values()) {
            sv.close();
        }
        if (estimator != null) {
            estimator.close();
            indexH.close();
        }
        plan.close();
        backend.close();
    }
}
