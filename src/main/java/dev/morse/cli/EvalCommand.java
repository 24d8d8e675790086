package dev.morse.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.morse.ad.Linearization;
import dev.morse.ad.Plan;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.experiment.Problem;
import dev.morse.experiment.Spec;
import dev.morse.index.HessianOperator;
import dev.morse.index.MorseIndex;
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

    @Option(names = "--backend", defaultValue = "auto", description = "auto, cpu or cuda (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Directory with the MNIST IDX files.")
    Path dataDir;

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

    /** Spectrum, Morse index and extreme eigenvalues at a point with a finite loss and gradient. */
    private void indexAt(Linearization lin, Backend b, int n, ObjectNode o) {
        try (HessianOperator h = new HessianOperator(b, n, HessianOperator.Mode.DENSE);
             MorseIndex.Workspace ws = new MorseIndex.Workspace(b, n)) {
            h.bind(lin);
            MorseIndex.Spectrum sp = MorseIndex.spectrum(h, ws);
            if (!sp.status().ok()) {
                o.put("spectrum_status", sp.status().toString());
                o.putNull("index");
            } else {
                MorseIndex.Result idx = sp.index(threshold);
                o.put("index", idx.index());
                o.put("negative_eigenvalues", idx.negative());
                o.put("min_eig", sp.min());
                o.put("max_eig", sp.max());
                o.put("threshold", threshold);
                if (spectrum) {
                    ArrayNode a = o.putArray("spectrum");
                    for (double e : sp.eigenvalues()) {
                        a.add(e);
                    }
                }
            }
        }
    }

    @Override
    public Integer call() {
        if (!(threshold >= 0)) {
            throw new UserException("--threshold must be ≥ 0, got " + threshold);
        }
        Spec s = Spec.load(specFile, false);
        Problem p = Problem.build(s.problem(), dataDir);
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
                o.put("status", "failed");
                o.put("spectrum_status", "loss or gradient not finite at θ");
            } else {
                indexAt(lin, b, n, o);
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
                out.printf(Locale.ROOT, "Morse index  %.6g (%d of %d eigenvalues < -%g)%nmin eig      %.6e%nmax eig      %.6e%n",
                        o.path("index").asDouble(), o.path("negative_eigenvalues").asInt(), n, threshold,
                        o.path("min_eig").asDouble(), o.path("max_eig").asDouble());
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
