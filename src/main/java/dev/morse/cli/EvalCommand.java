package dev.morse.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.morse.ad.Linearization;
import dev.morse.ad.Plan;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.experiment.Executor;
import dev.morse.experiment.Problem;
import dev.morse.experiment.Spec;
import dev.morse.index.HessianOperator;
import dev.morse.index.DenseRoutes;
import dev.morse.index.IndexEstimator;
import dev.morse.index.Slq;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code morse eval SPEC THETA}: what is this point? Loss, ‖g‖², Morse index, extreme eigenvalues. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate one point θ of a problem described by a spec file (the problem: block of the same "
                + "format batch experiments use): loss, squared gradient norm, Morse index (fraction of Hessian "
                + "eigenvalues below -threshold) and extreme eigenvalues; optionally the whole spectrum and one HVP.",
                "θ and the direction are text files of N numbers (separated by spaces, commas or newlines), all finite.",
                "Exit 0 ok, 1 the loss or gradient is not finite at θ (no index is given), 2 bad input."})
public final class EvalCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SPEC", description = "Spec file naming the problem.")
    Path specFile;

    @Parameters(index = "1", paramLabel = "THETA", description = "File with the N parameters.")
    Path thetaFile;

    @Option(names = "--direction", paramLabel = "FILE", description = "File with a direction v: also print H·v.")
    Path direction;

    @Option(names = "--spectrum", description = "Print every Hessian eigenvalue.")
    boolean spectrum;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(names = "--threshold", defaultValue = "1e-5", description = "Eigenvalues below -threshold count as negative (default: ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--index", paramLabel = "METHOD", defaultValue = "auto", description = "How the Morse index is computed: "
            + "auto (exact while the dense route fits memory, else slq), spectrum (dsyevd), inertia (LDLᵀ), lanczos, slq "
            + "(default: ${DEFAULT-VALUE}).")
    String indexMethod;

    @Option(names = "--probes", defaultValue = "0", description = "SLQ probes; 0 (the default): adaptive, 5 and more"
            + " until the band's sampling part is within half the resolution (docs/INDEX.md).")
    int probes;

    @Option(names = "--steps", defaultValue = "0", description = "Lanczos steps per probe; 0 (the default): adaptive,"
            + " until the band resolves −δ (docs/INDEX.md).")
    int steps;

    @Option(names = "--density-plot", paramLabel = "PNG", description = "Write the spectral density (log density, "
            + "-threshold marked) to this PNG.")
    Path densityPlot;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, cpu or cuda (default: ${DEFAULT-VALUE}).")
    String backend;

    @picocli.CommandLine.Mixin
    DataDirOption data = new DataDirOption();

    @picocli.CommandLine.Mixin
    ClasspathOption classpath = new ClasspathOption();

    /** Above this N, auto prefers inertia to a full spectrum (as record.spectrum_max_n does for batches). */
    static final int EVAL_SPECTRUM_MAX_N = 4000;

    private static String eig(ObjectNode o, String k) {
        return o.path(k).isNumber() ? String.format(Locale.ROOT, "%.6e", o.path(k).asDouble())
                : "not computed by this route";
    }

    /** The density plot: the SLQ density, or the exact spectrum smoothed the same way. */
    private static void writeDensityPlot(IndexEstimator.Estimate e, Path file) {
        Slq.Estimate q = e.quadrature();
        if (q == null && e.spectrum() != null) {
            double[] lam = e.spectrum().eigenvalues();
            double[] w = new double[lam.length];
            java.util.Arrays.fill(w, 1.0 / lam.length);
            q = new Slq.Estimate(lam.length, java.util.List.of(new Slq.Quadrature(lam, w, true)), 0);
        }
        if (q == null) {
            throw new UserException("--density-plot needs a route that sees eigenvalues (spectrum, lanczos, slq), not "
                    + e.method().key());
        }
        double[][] g = q.densityGrid(400);
        try {
            dev.morse.experiment.Plots.density(file, "spectral density (" + e.method().key() + ")",
                    new double[][] {g[0], g[1]}, e.threshold());
        } catch (IOException x) {
            throw new UserException("cannot write " + file + ": " + x.getMessage());
        }
    }

    /** Reads N numbers from a text file, with a one-line error for any problem. */
    static double[] readVector(Path file, int n, String what) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UserException(what + " file not found: " + file);
        } catch (IOException e) {
            throw new UserException("cannot read " + what + " file " + file + ": " + e.getMessage());
        }
        String[] tok = text.trim().isEmpty() ? new String[0] : text.trim().split("[\\s,;\\[\\]]+");
        java.util.List<Double> vals = new java.util.ArrayList<>();
        for (String t : tok) {
            if (t.isEmpty()) {
                continue;
            }
            try {
                vals.add(Double.parseDouble(t));
            } catch (NumberFormatException e) {
                throw new UserException(what + " file " + file + ": '" + t + "' is not a number");
            }
        }
        if (vals.size() != n) {
            throw new UserException(what + " file " + file + " holds " + vals.size() + " numbers, but the problem has N = "
                    + n);
        }
        double[] v = new double[n];
        int bad = 0;
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < n; i++) {
            v[i] = vals.get(i);
            if (!Double.isFinite(v[i])) {
                if (++bad <= 5) {
                    where.append(bad > 1 ? ", " : "").append(i + 1).append(" (").append(tok(v[i])).append(')');
                }
            }
        }
        if (bad > 0) {
            throw new UserException(what + " file " + file + ": " + bad + " of " + n + " entries are not finite, at "
                    + "entr" + (bad == 1 ? "y " : "ies ") + where + (bad > 5 ? ", …" : "") + " (1-based); a point "
                    + "must be finite");
        }
        return v;
    }

    private static String tok(double x) {
        return Double.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
    }

    /**
     * The Morse index (with its band and extreme eigenvalues) at a point with a finite loss and
     * gradient, by the route asked (spectrum when --spectrum), refused up front when it cannot fit.
     */
    private void indexAt(Linearization lin, Backend b, int n, ObjectNode o, IndexEstimator.Method method, long seed) {
        IndexEstimator.Method route = spectrum ? IndexEstimator.Method.SPECTRUM : method;
        IndexEstimator.Options io = IndexEstimator.Options.defaults().withThreshold(threshold).withBudget(probes, steps)
                .withSeed(seed);
        long avail = b.availableBytes() >= 0 ? b.availableBytes() : DenseRoutes.cpuAvailable();
        DenseRoutes.Device dev = b.name().equals("cpu") ? DenseRoutes.Device.CPU : DenseRoutes.Device.GPU;
        route = DenseRoutes.resolve(route, n, EVAL_SPECTRUM_MAX_N, avail, dev);
        String why = DenseRoutes.refusal(route, n, 1, avail, dev, steps, IndexEstimator.DEFAULT_MAX_PAIRS,
                "--index " + route.key());
        if (why != null) {
            throw new UserException(why);
        }
        try (HessianOperator h = new HessianOperator(b, n, HessianOperator.Mode.MATRIX_FREE);
             IndexEstimator est = new IndexEstimator(b, n, io, route)) {
            h.bind(lin);
            IndexEstimator.Estimate e = est.estimate(h);
            if (!e.ok()) {
                o.put("index_method", route.key());
                o.put("spectrum_status", e.status());
                o.putNull("index");
            } else {
                Executor.putIndex(o, e); // the same keys as a record in runs.jsonl
                o.put("threshold", e.threshold());
                if (spectrum && e.spectrum() != null) {
                    ArrayNode a = o.putArray("spectrum");
                    for (double x : e.spectrum().eigenvalues()) {
                        a.add(x);
                    }
                }
                if (densityPlot != null) {
                    writeDensityPlot(e, densityPlot);
                    o.put("density_plot", densityPlot.toString());
                }
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        return classpath.around(this::evaluate);
    }

    private int evaluate() {
        if (!(threshold >= 0)) {
            throw new UserException("--threshold must be ≥ 0, got " + threshold);
        }
        IndexEstimator.Method method;
        try {
            method = IndexEstimator.Method.parse(indexMethod);
        } catch (IllegalArgumentException e) {
            throw new UserException("--index: " + e.getMessage());
        }
        if ((probes < 2 && probes != 0) || (steps < 2 && steps != 0)) {
            throw new UserException("--probes and --steps must be ≥ 2 or 0 (adaptive), got " + probes + " and " + steps);
        }
        Spec s = Spec.load(specFile, false);
        Problem p = Problem.build(s.problem(), data.dataDir);
        int n = p.nParams();
        double[] th = readVector(thetaFile, n, "θ");
        double[] v = direction == null ? null : readVector(direction, n, "direction");
        PrintWriter err = spec.commandLine().getErr();
        ObjectNode o = new ObjectMapper().createObjectNode();
        try (Backend b = BackendOption.open(backend, err); Plan plan = Plan.compile(p.program(), b)) {
            Linearization lin = plan.at(th);
            o.put("problem", p.description());
            o.put("n_params", n);
            o.put("loss", lin.value());
            o.put("grad_norm_sq", lin.gradNormSq());
            o.put("finite", lin.finite());
            if (!plan.nonSmooth().isEmpty()) {
                o.put("warning", "the loss uses non-smooth primitives " + plan.nonSmooth()
                        + ": the Hessian is not defined on their kinks");
            }
            if (!lin.finite()) { // never an index for a point whose loss or gradient overflowed
                o.putNull("index");
                o.put("status", dev.morse.experiment.RunResult.FAILED);
                o.put("spectrum_status", "loss or gradient not finite at θ");
            } else {
                indexAt(lin, b, n, o, method, s.seed() + 1);
            }
            if (v != null) {
                double[] hv = lin.hvp(v);
                ArrayNode a = o.putArray("hvp");
                for (double e : hv) {
                    a.add(e);
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(o.toString());
        } else {
            out.printf(Locale.ROOT, "problem      %s%nN            %d%nloss         %.17g%n‖g‖²         %.6e%n",
                    o.path("problem").asText(), n, o.path("loss").asDouble(), o.path("grad_norm_sq").asDouble());
            if (o.path("index").isNumber()) {
                double d = o.path("index_threshold").asDouble();
                String thr = d == threshold ? String.format(Locale.ROOT, "-%g", d)
                        : String.format(Locale.ROOT, "-%g (asked -%g, raised to the quadrature's resolution)", d, threshold);
                if (o.path("index_exact").asBoolean()) {
                    out.printf(Locale.ROOT, "Morse index  %.6g exact (%d of %d eigenvalues < %s; %s)%n",
                            o.path("index").asDouble(), o.path("negative_eigenvalues").asInt(), n, thr,
                            o.path("index_method").asText());
                } else {
                    out.printf(Locale.ROOT, "Morse index  %.6g, band [%.6g, %.6g] (fraction of eigenvalues < %s; %s)%n",
                            o.path("index").asDouble(), o.path("index_low").asDouble(), o.path("index_high").asDouble(),
                            thr, o.path("index_method").asText());
                }
                out.printf(Locale.ROOT, "min eig      %s%nmax eig      %s%n", eig(o, "min_eig"), eig(o, "max_eig"));
                out.printf(Locale.ROOT, "index cost   %d HVPs, %.3g s%n", o.path("index_hvps").asLong(),
                        o.path("index_seconds").asDouble());
            } else {
                out.println("Morse index  unavailable (" + o.path("spectrum_status").asText() + ")");
            }
            if (o.has("warning")) {
                out.println("warning      " + o.path("warning").asText());
            }
            if (o.has("spectrum")) {
                out.println("spectrum     " + o.get("spectrum"));
            }
            if (o.has("hvp")) {
                out.println("H·v          " + o.get("hvp"));
            }
        }
        out.flush();
        return o.has("status") ? 1 : 0;
    }
}
