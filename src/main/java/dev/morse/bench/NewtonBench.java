package dev.morse.bench;

import dev.morse.ad.Objective;
import dev.morse.backend.Backend;
import dev.morse.experiment.MethodKind;
import dev.morse.experiment.MethodOptions;
import dev.morse.experiment.Problem;
import dev.morse.experiment.Spec;
import dev.morse.experiment.StartPoints;
import dev.morse.index.HessianOperator;
import dev.morse.index.HessianRoute;
import dev.morse.optim.Iterate;
import dev.morse.newton.NewtonMr;
import dev.morse.optim.Run;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Batch throughput: a fixed number of Newton-MR iterations on an experiment's problem, end to
 * end (linearizations, MINRES-QLP with its HVPs or the assembled Hessian, line searches), from
 * one start point made by the spec's own recipe shortened to one trajectory of at most
 * {@link #START_STEPS} optimizer steps (the middle of {@link #START_CANDIDATES} points uniform
 * in loss), so the Newton systems are like a batch's and not those of a random θ, which
 * need MINRES-QLP's whole budget; repeated; median, min and max wall time. The gradient floor is off so every repetition does the same
 * work (a stop before the cap is reported). From the seconds per iteration it projects the
 * whole batch of the spec (runs × iterations of its Newton-MR method over the workers), an
 * upper bound since runs that reach a critical point stop early. Each row names the Hessian
 * route the timed runs took ({@code hessian: auto} measures it at the warm-up run's first
 * iterate, {@link HessianRoute}) and the unit costs it was chosen on; {@code --hessian} forces a
 * route, to time the other one beside it.
 */
public final class NewtonBench {
    /** The experiments timed by default: E2 (deep linear autoencoder), E5 and E6 (MNIST networks). */
    public static final List<String> SPECS = List.of("e2-dlae-newton.yaml", "e5-mnist-autoencoder.yaml",
            "e6-mnist-classifier.yaml");

    /** Optimizer steps of the one trajectory the start point is taken from. */
    public static final int START_STEPS = 200;
    /** Points drawn uniform in loss on it; the middle one is the start. */
    public static final int START_CANDIDATES = 3;

    /**
     * What to run: T iterations, R timed repetitions, BLAS threads and batch workers for the
     * projection; {@code hessian} null keeps the spec's {@code hessian:}, else forces it.
     */
    public record Options(int iterations, int repeats, int threads, int workers, boolean quick, Path dataDir,
                          HessianOperator.Mode hessian) {
        public Options(int iterations, int repeats, int threads, int workers, boolean quick, Path dataDir) {
            this(iterations, repeats, threads, workers, quick, dataDir, null);
        }
    }

    /** One spec's result. */
    public record Row(String spec, String problem, int n, int examples, int shards, String hessian, int steps, long hvps,
                      long gradients, Timing t, int runs, int runIterations, int workers,
                      HessianRoute.Decision route) {
        public double secondsPerIteration() {
            return t.medianS() / Math.max(1, steps);
        }

        public double msPerHvp() {
            return hvps == 0 ? Double.NaN : 1e3 * t.medianS() / hvps;
        }

        /** Hours for runs × runIterations iterations spread over the workers, every run taking the full budget. */
        public double projectedBatchHours() {
            return runs * (double) runIterations * secondsPerIteration() / workers / 3600.0;
        }

        public String csv() {
            return String.format(Locale.ROOT, "%s,%s,%d,%d,%s,%d,%d,%d,%.9g,%.9g,%.9g,%d,%.9g,%.6g,%d,%d,%d,%.6g",
                    spec, problem.replace(',', ';'), n, examples, hessian, steps, hvps, gradients, t.medianS(), t.minS(),
                    t.maxS(), t.reps(), secondsPerIteration(), msPerHvp(), runs, runIterations, workers,
                    projectedBatchHours()) + routeCsv();
        }

        /** The route's columns: basis, first route, applications per step, unit costs and predicted steps (ms). */
        private String routeCsv() {
            HessianRoute.Costs c = route == null ? null : route.costs();
            if (c == null) {
                return String.format(Locale.ROOT, ",%s,,,,,,,,", route == null ? "" : route.basis().text());
            }
            return String.format(Locale.ROOT, ",%s,%s,%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g", route.basis().text(),
                    route.first().key(), route.expected(), 1e3 * c.hvp(), 1e3 * c.blockPerDirection(),
                    1e3 * c.assembly(), 1e3 * c.gemv(), 1e3 * c.denseStep(route.expected()),
                    1e3 * c.matrixFreeStep(route.expected()));
        }
    }

    public static final String CSV_HEADER = "spec,problem,n_params,examples,hessian,iterations,hvps,gradients,median_s,"
            + "min_s,max_s,reps,s_per_iteration,ms_per_hvp,batch_runs,batch_iterations,batch_workers,projected_batch_h,"
            + "route_basis,first_route,applications_per_step,probe_hvp_ms,probe_block_ms_per_direction,probe_assembly_ms,"
            + "probe_gemv_ms,predicted_dense_step_ms,predicted_matrix_free_step_ms";

    private NewtonBench() {
    }

    /** Times the first newton-mr method of {@code spec} on its problem. */
    public static Row run(Path specFile, Options o, Supplier<Backend> opener, PrintWriter err) {
        Spec spec = Spec.load(specFile, o.quick());
        Spec.MethodSpec m = spec.methods().stream().filter(x -> x.kind() == MethodKind.NEWTON_MR).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(specFile + ": no newton-mr method to time"));
        err.println("bench newton: " + spec.name() + ": building the problem");
        err.flush();
        Problem problem = Problem.build(spec.problem(), o.dataDir());
        NewtonMr.Options opt = ((MethodOptions.NewtonMrMethod) m.options()).options()
                .withMaxIterations(o.iterations()).withGradNormSqFloor(0.0);
        if (o.hessian() != null) {
            opt = opt.withHessian(o.hessian());
        }
        int examples = spec.problem().data() == null ? 0 : spec.problem().data().n();
        try (Backend b = opener.get(); Objective plan = problem.compile(b);
             NewtonMr newton = new NewtonMr(plan, opt)) {
            double[] theta0 = startPoint(spec, problem, b);
            int shards = problem.shards(b);
            err.println("bench newton: " + spec.name() + ": N = " + plan.n() + ", " + shards + " shard"
                    + (shards == 1 ? "" : "s") + ", hessian: "
                    + opt.hessian().name().toLowerCase(Locale.ROOT).replace('_', '-') + ", "
                    + o.iterations() + " iterations × " + o.repeats() + " (+1 warm-up)");
            err.flush();
            Run warm = newton.run(theta0); // JIT and workspaces; same work as the timed runs
            double[] s = new double[o.repeats()];
            Run last = warm;
            for (int r = 0; r < o.repeats(); r++) {
                long t0 = System.nanoTime();
                last = newton.run(theta0);
                s[r] = (System.nanoTime() - t0) * 1e-9;
            }
            Iterate end = last.last();
            HessianRoute.Decision route = last.hessianRoute();
            String hessian = route != null ? route.route().key() : newton.denseHessian() ? "dense" : "matrix-free";
            err.println("bench newton: " + spec.name() + ": Hessian route " + (route == null ? hessian : route));
            err.flush();
            return new Row(spec.name(), problem.description(), plan.n(), examples, shards, hessian, last.steps(), end.hvps(),
                    end.gradients(), Timing.of(s), m.runs(), m.iterations(), o.workers(), route);
        }
    }

    /** The spec's start recipe on one short trajectory (see the class comment); a random θ for other kinds. */
    static double[] startPoint(Spec spec, Problem problem, Backend b) {
        Spec.StartSpec s = spec.start();
        if (s.kind() != Spec.StartSpec.Kind.OPTIMIZER) {
            return problem.init(spec.seed(), s);
        }
        Spec.StartSpec shortened = new Spec.StartSpec(s.kind(), s.optimizer(), s.lr(), s.momentum(),
                Math.min(s.steps(), START_STEPS), 1, s.select(), 0.0, 0.0, s.box(), s.initScale(), s.biasShift(),
                s.initScheme(), s.initStd());
        Spec one = new Spec(spec.name(), spec.description(), spec.seed(), spec.backend(), spec.workers(),
                spec.problem(), shortened, spec.methods(), spec.record(), spec.index(), spec.hash(), spec.canonical());
        List<StartPoints.StartPoint> points = StartPoints.make(one, problem, b, START_CANDIDATES);
        return points.get(START_CANDIDATES / 2).theta();
    }

    /** The markdown table of a run. */
    public static String markdown(List<Row> rows, String machine, String command, Options o) {
        StringBuilder sb = new StringBuilder("# morse bench newton\n\n");
        sb.append("- machine: ").append(machine).append("\n");
        sb.append("- command: `").append(command).append("`\n");
        sb.append("- ").append(o.iterations()).append(" Newton-MR iterations per repetition from one start point ")
                .append("(the spec's start recipe on one trajectory of at most ").append(START_STEPS)
                .append(" steps, the middle of ").append(START_CANDIDATES).append(" points uniform in loss), gradient floor off; ").append(o.repeats())
                .append(" timed repetitions after one warm-up; BLAS threads ").append(o.threads()).append("\n");
        sb.append("- projected batch: the spec's runs × iterations at the measured s/iteration over ").append(o.workers())
                .append(" workers (an upper bound: runs that reach a critical point stop early; workers share memory ")
                .append("bandwidth, which this single-process measurement does not see; and the first iterations from a start ")
                .append("point need more HVPs than a batch's average, so rescale by HVPs/iteration: see docs/bench/README.md)\n\n");
        sb.append("| spec | N | examples (shards) | Hessian | iterations | HVPs | HVPs/iteration | median s (min-max) | s/iteration | ")
                .append("ms/HVP | batch | projected batch h |\n");
        sb.append("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %d (%d) | %s | %d | %d | %.1f | %.3f (%.3f-%.3f) | %.4f | %.3f | %d × %d | %.2f |%n",
                    r.spec(), r.n(), r.examples(), r.shards(), r.hessian(), r.steps(), r.hvps(), r.hvps() / (double) Math.max(1, r.steps()),
                    r.t().medianS(), r.t().minS(),
                    r.t().maxS(), r.secondsPerIteration(), r.msPerHvp(), r.runs(), r.runIterations(),
                    r.projectedBatchHours()));
        }
        sb.append("\n## Hessian route\n\n");
        sb.append("`hessian: auto` measures one HVP, one hvpBlock direction (k = ").append(HessianOperator.PROBE_BLOCK)
                .append("; assembly = N of them) and one dense gemv at the warm-up run's first iterate, then takes the ")
                .append("cheaper route for steps of the solver's cap and revises once with the first solve's count ")
                .append("(docs/bench/README.md). Times in ms from that probe, on whatever else the machine was running.\n\n");
        sb.append("| spec | route | basis | first | applications/step | HVP | block/direction | assembly | gemv | ")
                .append("predicted dense step | predicted matrix-free step |\n");
        sb.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            HessianRoute.Decision d = r.route();
            HessianRoute.Costs c = d == null ? null : d.costs();
            if (c == null) {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | | | | | | | | |%n", r.spec(), r.hessian(),
                        d == null ? "" : d.basis().text()));
            } else {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %.4g | %.4g | %.4g | %.4g | %.4g | %.4g |%n",
                        r.spec(), r.hessian(), d.basis().text(), d.first().key(), d.expected(), 1e3 * c.hvp(),
                        1e3 * c.blockPerDirection(), 1e3 * c.assembly(), 1e3 * c.gemv(), 1e3 * c.denseStep(d.expected()),
                        1e3 * c.matrixFreeStep(d.expected())));
            }
        }
        return sb.toString();
    }

    /** The default spec files under {@code experiments}. */
    public static List<Path> defaultSpecs(Path experiments) {
        List<Path> l = new ArrayList<>();
        for (String s : SPECS) {
            l.add(experiments.resolve(s));
        }
        return l;
    }
}
