package dev.morse.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.morse.nn.Activation;
import dev.morse.backend.Backends;
import dev.morse.optim.GradientDescent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A batch experiment, read from YAML or JSON and validated in full before any work starts.
 * See {@code docs/SPEC.md} for every key. A {@code quick:} block holds overrides that
 * {@code --quick} merges over the spec (objects merge key by key; lists and values replace).
 */
public record Spec(String name, String description, long seed, Backends.Choice backend, int workers,
                   ProblemSpec problem, StartSpec start, List<MethodSpec> methods, RecordSpec record,
                   IndexSpec index, String hash, String canonical) {

    /**
     * What is optimized: an analytic function or a network on data. {@code l2Form}: {@code sum}
     * (λ‖θ‖²), {@code half} ((λ/2)‖θ‖²) or {@code mean} (λ·mean(θ²) = (λ/N)‖θ‖², autocrit's l2
     * regularizer). {@code activation}: the hidden activation of every layer, or, when
     * {@code activations} is not null, of the first (then {@code activations} has one per
     * hidden layer). {@code reduction}: {@code mean} or {@code sum} of the loss's terms.
     */
    public record ProblemSpec(ProblemKind kind, DataSpec data, int[] widths, boolean[] bias, String activation,
                              String loss, double l2, int hidden, String l2Form, String javaClass, String jar,
                              List<String> activations, String outputActivation, String reduction, int shards) {
        /** {@code shards}: this value means "auto" ({@link dev.morse.ad.Shards#auto}). */
        public static final int AUTO_SHARDS = 0;
    }

    /** Where the data come from and how they are prepared. */
    public record DataSpec(String source, int n, int features, long seed, String dir, String split, int[] classes,
                           int crop, int resize, boolean zscore, int pca, boolean shuffleLabels, boolean center) {
    }

    /**
     * How start points are made. {@code initScheme}: {@code lecun} (N(0, 1/fan_in) weights, zero
     * biases, times {@code initScale}) or {@code normal} (every parameter N(0, initStd²); NaN
     * std: 1/√N, the authors' {@code Network.initialize}).
     */
    public record StartSpec(Kind kind, String optimizer, double lr, double momentum, int steps, int trajectories,
                            Select select, double noiseVariance, double noiseFraction, double[][] box,
                            double initScale, double biasShift, InitScheme initScheme, double initStd) {
        /** Start points from optimizer trajectories, uniform in a box, or the problem's initializer. */
        public enum Kind { OPTIMIZER, UNIFORM, INIT }

        /** How trajectory iterates are picked: uniform in loss value, or uniform over iterations. */
        public enum Select { LOSS, ITERATION }

        /** LeCun-normal weights (zero biases), or every parameter N(0, std²). */
        public enum InitScheme { LECUN, NORMAL }
    }

    /** One critical-point method (or optimizer): its kind and its solver's options, typed ({@link MethodOptions}). */
    public record MethodSpec(String name, MethodKind kind, int runs, int iterations, MethodOptions options) {
    }

    /**
     * What each run records. {@code cutoffs}: for each ε (largest first; ∞ is the start point),
     * the loss and index at the first iterate with ‖g‖² < ε (thesis Fig 3.3). {@code status}:
     * whose classification a record's {@code status} is.
     */
    public record RecordSpec(boolean traces, boolean spectrum, boolean theta, int spectrumMaxN, double[] cutoffs,
                             Status status, Flatness flatness) {
        /** The thesis text's definitions (‖g‖² < 1e-10; r with ‖H‖_F, r_H) or the papers' figures'. */
        public enum Status { TEXT, FIGURES }

        /**
         * Newton-MR's r and r_H (with ‖H‖_F) at every iterate, or at the last only (the figures'
         * relres is at every iterate either way; max_r is then not recorded).
         */
        public enum Flatness { EVERY, LAST }

        public RecordSpec {
            cutoffs = cutoffs.clone();
        }

        /** With {@code status: text}, the thesis text's definitions. */
        public RecordSpec(boolean traces, boolean spectrum, boolean theta, int spectrumMaxN, double[] cutoffs) {
            this(traces, spectrum, theta, spectrumMaxN, cutoffs, Status.TEXT, Flatness.EVERY);
        }

        @Override
        public double[] cutoffs() {
            return cutoffs.clone();
        }
    }

    /**
     * How the Morse index of each end point is computed ({@code index:}; docs/SPEC.md). {@code given}:
     * the block is in the spec (without it, {@code record.spectrum: false} still means no index).
     */
    public record IndexSpec(boolean given, dev.morse.index.IndexEstimator.Method method, double threshold, int probes,
                            int steps, double resolution) {
        public dev.morse.index.IndexEstimator.Options options(long seed) {
            return dev.morse.index.IndexEstimator.Options.defaults().withMethod(method).withThreshold(threshold)
                    .withBudget(probes, steps).withResolution(resolution).withSeed(seed);
        }
    }

    /** Reads and validates a spec file; with quick, its {@code quick:} overrides are merged first. */
    public static Spec load(Path file, boolean quick) {
        return parse(SpecFile.read(file), quick); // duplicate keys, binary files: refused with line and column
    }

    /** Validates a spec tree. */
    public static Spec parse(JsonNode root, boolean quick) {
        if (root == null || !root.isObject()) {
            throw new SpecException("", "a spec is an object (key: value pairs), got " + SpecNode.kind(root));
        }
        ObjectNode tree = root.deepCopy();
        JsonNode q = tree.remove("quick");
        if (q != null && !q.isObject()) {
            throw new SpecException("quick", "expected an object of overrides, got " + SpecNode.kind(q));
        }
        if (quick) {
            if (q == null) {
                throw new SpecException("quick", "--quick was given but the spec defines no quick: block");
            }
            merge(tree, (ObjectNode) q, "quick");
        }
        SpecNode s = new SpecNode(tree, "");
        String name = s.str("name", null);
        String description = s.str("description", "");
        long seed = s.integer("seed", 0L, 0L, Long.MAX_VALUE);
        Backends.Choice backend = s.choice("backend", Backends.Choice.AUTO, Backends.Choice.class);
        int workers = s.integer("workers", 0, 0, 1024);
        ProblemSpec problem = problem(s.obj("problem") == null ? fail("problem") : s.obj("problem"));
        StartSpec start = start(s.objOrEmpty("start"), problem);
        List<MethodSpec> methods = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (SpecNode m : s.has("methods") ? s.objects("methods") : List.<SpecNode>of()) {
            MethodSpec ms = method(m, problem);
            if (names.contains(ms.name())) {
                throw new SpecException(m.path() + ".name", "duplicate method name \"" + ms.name()
                        + "\" (give each method a distinct name)");
            }
            names.add(ms.name());
            methods.add(ms);
        }
        if (methods.isEmpty() && problem.kind() != ProblemKind.DEEP_LINEAR_AUTOENCODER) {
            throw new SpecException("methods", "at least one method is needed (only a deep linear autoencoder spec may "
                    + "have none: it then tabulates the analytic critical points)");
        }
        RecordSpec record = record(s.objOrEmpty("record"));
        if (record.flatness() == RecordSpec.Flatness.LAST) {
            for (int i = 0; i < methods.size(); i++) {
                MethodSpec ms = methods.get(i);
                if (ms.options() instanceof MethodOptions.NewtonMrMethod nm) {
                    methods.set(i, new MethodSpec(ms.name(), ms.kind(), ms.runs(), ms.iterations(),
                            new MethodOptions.NewtonMrMethod(nm.options().withFlatnessEveryIterate(false))));
                } else if (ms.kind() == MethodKind.DAMPED_NEWTON) {
                    throw new SpecException("record.flatness", "last is for newton-mr (damped newton computes r and r_H "
                            + "of every candidate step); remove it or the damped-newton method '" + ms.name() + "'");
                }
            }
        }
        IndexSpec index = index(s.has("index"), s.objOrEmpty("index"));
        s.done();
        String canonical = tree.toString();
        return new Spec(name, description, seed, backend, workers, problem, start, Collections.unmodifiableList(methods),
                record, index, sha256(canonical), canonical);
    }

    private static SpecNode fail(String key) {
        throw new SpecException(key, "missing (every spec needs a problem)");
    }

    private static void merge(ObjectNode base, ObjectNode over, String path) {
        Iterator<Map.Entry<String, JsonNode>> it = over.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode cur = base.get(e.getKey());
            if (cur != null && cur.isObject() && e.getValue().isObject()) {
                merge((ObjectNode) cur, (ObjectNode) e.getValue(), path + "." + e.getKey());
            } else {
                base.set(e.getKey(), e.getValue());
            }
        }
    }

    private static ProblemSpec problem(SpecNode p) {
        ProblemKind kind = p.choice("kind", null, ProblemKind.class);
        DataSpec data = null;
        int[] widths = null;
        boolean[] bias = null;
        String activation = null;
        List<String> activations = null;
        String outputActivation = null;
        String reduction = null;
        String loss = null;
        double l2;
        String l2Form;
        if (p.isObject("l2")) {
            // l2: {lambda: λ, form: sum | half | mean}
            SpecNode l = p.obj("l2");
            l2 = l.number("lambda", null, 0.0, 1e6, false);
            l2Form = l.str("form", "sum", "sum", "half", "mean");
            l.done();
            if (p.has("l2_form")) {
                throw new SpecException(p.at("l2_form"), "give the form once: in l2.form or here, not both");
            }
        } else {
            l2 = p.number("l2", 0.0, 0.0, 1e6, false);
            l2Form = p.str("l2_form", "sum", "sum", "half", "mean");
        }
        int hidden = 0;
        int shards = ProblemSpec.AUTO_SHARDS;
        String javaClass = null;
        String jar = null;
        switch (kind) {
            case JAVA: {
                // a user's dev.morse.problems.CustomProblem, loaded when the batch starts (JavaProblems)
                javaClass = p.str("class", null);
                jar = p.has("jar") ? p.str("jar", null) : null;
                break;
            }
            case MLP: {
                data = data(p.obj("data") == null ? missing(p, "data") : p.obj("data"));
                widths = p.ints("widths", null, 1, 1 << 20);
                if (widths.length < 2) {
                    throw new SpecException(p.at("widths"), "need at least an input and an output width");
                }
                bias = biases(p, widths.length - 1);
                activations = activations(p, "swish", widths.length - 2);
                activation = activations.get(0);
                activations = activations.size() == 1 ? null : activations;
                outputActivation = p.str("output_activation", "identity", Activation.names());
                loss = p.str("loss", null, "mse", "cross-entropy", "bce");
                reduction = p.str("reduction", "mean", "mean", "sum");
                shards = p.integerOrAuto("shards", ProblemSpec.AUTO_SHARDS, 1, 1 << 16);
                if (!loss.equals("mse") && data.source().equals("gaussian")) {
                    throw new SpecException(p.at("loss"), loss + " needs labelled data (mnist), not gaussian");
                }
                break;
            }
            case DEEP_LINEAR_AUTOENCODER: {
                data = data(p.obj("data") == null ? missing(p, "data") : p.obj("data"));
                hidden = p.integer("hidden", 4, 1, 1 << 16);
                break;
            }
            case SINE_REGRESSION: {
                data = data(p.objOrEmpty("data"));
                widths = p.ints("widths", new int[] {1, 10, 10, 1}, 1, 1 << 20);
                bias = biases(p, widths.length - 1);
                activations = activations(p, "tanh", widths.length - 2);
                activation = activations.get(0);
                activations = activations.size() == 1 ? null : activations;
                outputActivation = p.str("output_activation", "identity", Activation.names());
                loss = "mse";
                reduction = p.str("reduction", "mean", "mean", "sum");
                shards = p.integerOrAuto("shards", ProblemSpec.AUTO_SHARDS, 1, 1 << 16);
                break;
            }
            default:
                break;
        }
        p.done();
        if (l2Form.equals("mean") && kind != ProblemKind.MLP) {
            throw new SpecException(p.at("l2_form"), "applies to mlp problems only");
        }
        return new ProblemSpec(kind, data, widths, bias, activation, loss, l2, hidden, l2Form, javaClass, jar,
                activations, outputActivation, reduction, shards);
    }

    /** {@code activation}: one name for every hidden layer, or a list of one name per hidden layer. */
    private static List<String> activations(SpecNode p, String def, int hiddenLayers) {
        List<String> a = p.strings("activation", def, Activation.names());
        if (a.size() != 1 && a.size() != hiddenLayers) {
            throw new SpecException(p.at("activation"), a.size() + " activations for " + hiddenLayers
                    + " hidden layers (give one name for all, or one per hidden layer)");
        }
        return a;
    }

    private static SpecNode missing(SpecNode p, String key) {
        throw new SpecException(p.at(key), "missing");
    }

    private static boolean[] biases(SpecNode p, int layers) {
        if (!p.has("bias")) {
            boolean[] b = new boolean[layers];
            java.util.Arrays.fill(b, true);
            return b;
        }
        try {
            boolean all = p.bool("bias", true);
            boolean[] b = new boolean[layers];
            java.util.Arrays.fill(b, all);
            return b;
        } catch (SpecException e) {
            int[] flags = p.ints("bias", null, 0, 1);
            if (flags.length != layers) {
                throw new SpecException(p.at("bias"), flags.length + " flags for " + layers + " layers");
            }
            boolean[] b = new boolean[layers];
            for (int i = 0; i < layers; i++) {
                b[i] = flags[i] == 1;
            }
            return b;
        }
    }

    private static DataSpec data(SpecNode d) {
        String source = d.str("source", "sine", "gaussian", "mnist", "sine");
        int n;
        int features = 0;
        String dir = null;
        String split = "train";
        int[] classes = null;
        int crop = 0;
        int resize = 0;
        boolean zscore = false;
        int pca = 0;
        boolean shuffle = false;
        boolean center = false;
        long seed = d.integer("seed", 0L, 0L, Long.MAX_VALUE);
        switch (source) {
            case "gaussian":
                n = d.integer("n", 10000, 2, Integer.MAX_VALUE);
                features = d.integer("features", 16, 1, 1 << 16);
                break;
            case "mnist":
                n = d.integer("n", 0, 0, 70000);
                dir = d.has("dir") ? d.str("dir", null) : null;
                split = d.str("split", "train", "train", "test");
                classes = d.has("classes") ? d.ints("classes", null, 0, 9) : null;
                crop = d.integer("crop", 0, 0, 28);
                resize = d.integer("resize", 0, 0, 28);
                zscore = d.bool("zscore", false);
                center = d.bool("center", false);
                pca = d.integer("pca", 0, 0, 784);
                shuffle = d.bool("shuffle_labels", false);
                if (resize > 0 && (crop == 0 ? 28 : crop) % resize != 0) {
                    throw new SpecException(d.at("resize"), "must divide the " + (crop == 0 ? 28 : crop)
                            + "-pixel side (block averaging)");
                }
                break;
            default:
                n = d.integer("n", 100, 2, Integer.MAX_VALUE);
                break;
        }
        d.done();
        return new DataSpec(source, n, features, seed, dir, split, classes, crop, resize, zscore, pca, shuffle, center);
    }

    private static StartSpec start(SpecNode s, ProblemSpec problem) {
        boolean analytic = problem.kind() == ProblemKind.QUARTIC;
        StartSpec.Kind kind = s.choice("kind", analytic ? StartSpec.Kind.UNIFORM
                : problem.kind() == ProblemKind.JAVA ? StartSpec.Kind.INIT : StartSpec.Kind.OPTIMIZER, StartSpec.Kind.class);
        String optimizer = "gd";
        double lr = 0.1;
        double momentum = 0.0;
        int steps = 0;
        int trajectories = 1;
        StartSpec.Select select = StartSpec.Select.LOSS;
        double noiseVar = 0;
        double noiseFrac = 0;
        double[][] box = null;
        double initScale = 1.0;
        switch (kind) {
            case OPTIMIZER:
                optimizer = s.str("optimizer", "gd", "gd", "momentum");
                // the papers' settings, as for methods of kind gd and momentum
                GradientDescent.Options gd = GradientDescent.Options.of(1, optimizer.equals("momentum"));
                lr = s.number("lr", gd.learningRate(), 0.0, 1e6, true);
                momentum = s.number("momentum", gd.momentum(), 0.0, 1.0, false);
                steps = s.integer("steps", 1000, 1, 10_000_000);
                trajectories = s.integer("trajectories", 1, 1, 100_000);
                select = s.choice("select", StartSpec.Select.LOSS, StartSpec.Select.class);
                initScale = s.number("init_scale", 1.0, 0.0, 1e6, false);
                break;
            case UNIFORM: {
                double[] lo = s.numbers("low", null);
                double[] hi = s.numbers("high", null);
                if (lo.length != hi.length) {
                    throw new SpecException(s.at("high"), "low and high must have the same length");
                }
                for (int i = 0; i < lo.length; i++) {
                    if (!(lo[i] < hi[i])) {
                        throw new SpecException(s.at("high") + "[" + i + "]", "must exceed low[" + i + "] = " + lo[i]);
                    }
                }
                box = new double[][] {lo, hi};
                break;
            }
            default:
                initScale = s.number("init_scale", 1.0, 0.0, 1e6, false);
                break;
        }
        StartSpec.InitScheme initScheme = StartSpec.InitScheme.LECUN;
        double initStd = Double.NaN;
        SpecNode init = s.obj("init");
        if (init != null) {
            if (kind == StartSpec.Kind.UNIFORM) {
                throw new SpecException(s.at("init"), "applies to start kinds optimizer and init, not uniform");
            }
            initScheme = init.choice("scheme", StartSpec.InitScheme.LECUN, StartSpec.InitScheme.class);
            if (initScheme == StartSpec.InitScheme.NORMAL) {
                initStd = init.has("std") ? init.number("std", null, 0.0, 1e6, true) : Double.NaN;
                if (s.has("init_scale")) {
                    throw new SpecException(s.at("init_scale"), "scales the lecun scheme only; with scheme normal "
                            + "give init.std");
                }
            }
            init.done();
        }
        double biasShift = s.number("bias_shift", 0.0, -1e6, 1e6, false);
        if (biasShift != 0 && kind != StartSpec.Kind.INIT) {
            throw new SpecException(s.at("bias_shift"), "applies to start kind init only");
        }
        noiseVar = s.number("noise_variance", 0.0, 0.0, 1e6, false);
        noiseFrac = s.number("noise_fraction", noiseVar > 0 ? 0.5 : 0.0, 0.0, 1.0, false);
        s.done();
        return new StartSpec(kind, optimizer, lr, momentum, steps, trajectories, select, noiseVar, noiseFrac, box,
                initScale, biasShift, initScheme, initStd);
    }

    private static MethodSpec method(SpecNode m, ProblemSpec problem) {
        MethodKind kind = m.choice("kind", null, MethodKind.class);
        String name = m.str("name", kind.key());
        int runs = m.integer("runs", (Integer) null, 1, 10_000_000);
        int iterations = m.integer("iterations", (Integer) null, 1, 100_000_000);
        boolean linear = problem.kind() == ProblemKind.DEEP_LINEAR_AUTOENCODER || problem.kind() == ProblemKind.QUARTIC;
        MethodOptions options = MethodOptions.parse(kind, m, iterations, linear);
        m.done();
        return new MethodSpec(name, kind, runs, iterations, options);
    }

    private static RecordSpec record(SpecNode r) {
        RecordSpec rs = new RecordSpec(r.bool("traces", true), r.bool("spectrum", true), r.bool("theta", false),
                r.integer("spectrum_max_n", 4000, 0, 1 << 20), r.thresholds("cutoffs"),
                r.choice("status", RecordSpec.Status.TEXT, RecordSpec.Status.class),
                r.choice("flatness", RecordSpec.Flatness.EVERY, RecordSpec.Flatness.class));
        r.done();
        return rs;
    }

    private static IndexSpec index(boolean given, SpecNode x) {
        dev.morse.index.IndexEstimator.Method m = dev.morse.index.IndexEstimator.Method.parse(
                x.str("method", "auto", "auto", "spectrum", "inertia", "lanczos", "slq"));
        IndexSpec is = new IndexSpec(given, m, x.number("threshold", dev.morse.index.MorseIndex.DEFAULT_THRESHOLD, 0.0, 1e6,
                false), x.integerOrAuto("probes", dev.morse.index.Slq.ADAPTIVE_PROBES, 2, 100000),
                x.integerOrAuto("steps", dev.morse.index.Slq.ADAPTIVE, 2, 100000),
                x.number("resolution", dev.morse.index.IndexEstimator.DEFAULT_RESOLUTION, 0.0, 1.0, true));
        x.done();
        return is;
    }

    static String sha256(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Total number of runs over all methods. */
    public int totalRuns() {
        int t = 0;
        for (MethodSpec m : methods) {
            t += m.runs();
        }
        return t;
    }
}
