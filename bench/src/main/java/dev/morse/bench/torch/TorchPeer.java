package dev.morse.bench.torch;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.pytorch.global.torch;

/**
 * The libtorch peer of {@code morse bench hvp}: times the gradient and the double-backward HVP of
 * MLP losses in libtorch, in every formulation of {@link TorchMlp.Formulation}, and writes CSV rows
 * {@code network,implementation,operation,median_s,min_s,max_s,reps}: implementation
 * {@code libtorch-<formulation>} for each, and {@code libtorch} for the fastest per operation.
 * Runs in its own JVM (see bench/README.md).
 *
 * <pre>
 * TorchPeer [--threads T] [--reps R] [--warmup W] [--seed S] [--check] [--out FILE.csv] NETWORK...
 *   NETWORK = W0-W1-...-WL@N[:mse][:nobias]
 * </pre>
 */
public final class TorchPeer {

    static final String CSV_HEADER = "network,implementation,operation,median_s,min_s,max_s,reps";
    static final String IMPLEMENTATION = "libtorch";

    /**
     * Central-difference step for {@code --check}: Hv ≈ (∇L(θ+εv) − ∇L(θ−εv)) / 2ε with v ~ N(0, 1)
     * entries; truncation O(ε²) and round-off O(1e-16/ε) both stay near 1e-10 relative.
     */
    static final double CHECK_STEP = 1e-5;

    /**
     * Untimed warm-up runs at least --warmup repetitions and at least this long per operation: the
     * first calls of a fresh JVM pay for JIT compilation and lazy native initialisation, which on
     * the smallest networks (≈0.1 ms per call) is several times the cost being measured.
     */
    static final double WARMUP_SECONDS = 0.5;

    private static final String USAGE = """
            Usage: TorchPeer [--threads T] [--blas-threads B] [--reps R] [--warmup W] [--seed S] [--check]
                             [--out FILE.csv] NETWORK...
              NETWORK           W0-W1-...-WL@N[:mse][:nobias], e.g. 784-64-10@10000 or 32-32-4-2@50:nobias
              --threads T       libtorch intra-op and OpenBLAS threads (default: available processors);
                                inter-op threads: 1
              --blas-threads B  OpenBLAS threads only (default: T)
              --reps R          timed repetitions per operation (default 5)
              --warmup W        untimed repetitions per operation first: at least W, and at least 0.5 s
                                (default 1)
              --seed S          seed of data, parameters and direction (default 0), the same for every network
              --check           also compare Hv with central differences of the gradient (untimed)
              --out FILE        CSV output (default: standard output); one summary line per network goes to
                                standard error
            Unless already set, OMP_WAIT_POLICY=PASSIVE and OPENBLAS_THREAD_TIMEOUT=4 are put in the
            environment (the peer re-runs itself in a child JVM to do so); see bench/README.md.
            """;

    private TorchPeer() {
    }

    /** Parsed command line. */
    record Options(int threads, int blasThreads, int reps, int warmup, long seed, boolean check, Path out,
                   List<NetworkSpec> networks, boolean help) {

        static Options parse(String[] args) {
            int threads = Runtime.getRuntime().availableProcessors();
            int blasThreads = 0;
            int reps = 5;
            int warmup = 1;
            long seed = 0;
            boolean check = false;
            Path out = null;
            List<NetworkSpec> networks = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "-h", "--help" -> {
                        return new Options(threads, blasThreads, reps, warmup, seed, check, out, networks, true);
                    }
                    case "--threads" -> threads = positive(a, value(args, ++i, a));
                    case "--blas-threads" -> blasThreads = positive(a, value(args, ++i, a));
                    case "--reps" -> reps = positive(a, value(args, ++i, a));
                    case "--warmup" -> warmup = nonNegative(a, value(args, ++i, a));
                    case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
                    case "--check" -> check = true;
                    case "--out" -> out = Path.of(value(args, ++i, a));
                    default -> {
                        if (a.startsWith("-")) throw new IllegalArgumentException("unknown option " + a);
                        networks.add(NetworkSpec.parse(a));
                    }
                }
            }
            if (networks.isEmpty()) throw new IllegalArgumentException("no network given");
            return new Options(threads, blasThreads == 0 ? threads : blasThreads, reps, warmup, seed, check, out,
                    List.copyOf(networks), false);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
            return args[i];
        }

        private static int positive(String option, String text) {
            int v = Integer.parseInt(text);
            if (v < 1) throw new IllegalArgumentException(option + " must be at least 1, got " + v);
            return v;
        }

        private static int nonNegative(String option, String text) {
            int v = Integer.parseInt(text);
            if (v < 0) throw new IllegalArgumentException(option + " must be at least 0, got " + v);
            return v;
        }
    }

    /** Median, minimum and maximum of the timed repetitions, in seconds. */
    record Timing(double median, double min, double max, int reps) {

        static Timing of(double[] seconds) {
            double[] s = seconds.clone();
            Arrays.sort(s);
            int n = s.length;
            double median = n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
            return new Timing(median, s[0], s[n - 1], n);
        }

        String csvRow(String network, String operation) {
            return csvRow(network, IMPLEMENTATION, operation);
        }

        String csvRow(String network, String implementation, String operation) {
            return String.format(Locale.ROOT, "%s,%s,%s,%.6e,%.6e,%.6e,%d",
                    network, implementation, operation, median, min, max, reps);
        }
    }

    public static void main(String[] args) {
        // Before any JavaCPP class initializes: libtorch owns its memory; JavaCPP must not cap or
        // second-guess it (the default cap is tied to -Xmx and would reject the large networks).
        setDefault("org.bytedeco.javacpp.maxBytes", "0");
        setDefault("org.bytedeco.javacpp.maxPhysicalBytes", "0");
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("TorchPeer: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(USAGE);
            return;
        }
        if (System.getenv(CHILD_MARKER) != null) {
            // the child does not outlive a parent that was killed outright (SIGKILL runs no hooks)
            ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(143)));
        }
        Map<String, String> missing = missingRuntimeEnvironment();
        if (!missing.isEmpty() && System.getenv(CHILD_MARKER) == null) {
            Integer code = rerunWith(missing, args);
            if (code != null) {
                System.exit(code);
                return;
            }
        }
        try {
            run(options, System.err);
        } catch (IOException e) {
            System.err.println("TorchPeer: cannot write " + options.out() + ": " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Environment libtorch's thread pools read once, at load time. This build runs its elementwise
     * kernels on libgomp (OpenMP) and its dgemm on OpenBLAS's own pthreads; both spin-wait when idle
     * by default, so with T threads each on T cores they take each other's cores (measured on 2
     * cores: the 32-32-4-2@50 gradient took 24 ms with OMP_WAIT_POLICY=ACTIVE, 0.15 ms passive).
     * Passive waiting and a short OpenBLAS spin remove that. A value already in the environment is
     * kept.
     */
    static final Map<String, String> RUNTIME_ENV = Map.of(
            "OMP_WAIT_POLICY", "PASSIVE",
            "OPENBLAS_THREAD_TIMEOUT", "4");
    private static final String CHILD_MARKER = "MORSE_TORCH_PEER_CHILD";

    private static Map<String, String> missingRuntimeEnvironment() {
        Map<String, String> missing = new TreeMap<>();
        RUNTIME_ENV.forEach((k, v) -> {
            if (System.getenv(k) == null) missing.put(k, v);
        });
        return missing;
    }

    /** Runs this main again in a child JVM with the environment set; null if it cannot start. */
    private static Integer rerunWith(Map<String, String> env, String[] args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TorchPeer.class.getName());
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().putAll(env);
        pb.environment().put(CHILD_MARKER, "1");
        try {
            Process child = pb.start();
            // a parent stopped by a signal takes the child with it
            Thread reaper = new Thread(child::destroy, "torch-peer-child-reaper");
            Runtime.getRuntime().addShutdownHook(reaper);
            int code = child.waitFor();
            Runtime.getRuntime().removeShutdownHook(reaper);
            return code;
        } catch (IOException e) {
            System.err.println("TorchPeer: cannot start a child JVM (" + e.getMessage() + "); running with "
                    + "the current environment, missing " + env);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }

    static void run(Options o, PrintStream log) throws IOException {
        configureThreads(o.threads(), o.blasThreads());
        StringBuilder env = new StringBuilder();
        new TreeMap<>(RUNTIME_ENV).keySet().forEach(k -> env.append(' ').append(k).append('=').append(System.getenv(k)));
        log.printf(Locale.ROOT, "libtorch peer: intra-op threads %d, inter-op threads %d, OpenBLAS threads %d;%s%n",
                torch.get_num_threads(), torch.get_num_interop_threads(), openblas_full.openblas_get_num_threads(), env);
        Writer sink = o.out() == null
                ? new OutputStreamWriter(System.out, StandardCharsets.UTF_8)
                : Files.newBufferedWriter(o.out(), StandardCharsets.UTF_8);
        try (PrintWriter csv = new PrintWriter(sink)) {
            csv.println(CSV_HEADER);
            csv.flush();
            for (NetworkSpec spec : o.networks()) {
                List<String> rows = measure(spec, o, log);
                rows.forEach(csv::println);
                csv.flush();
                if (csv.checkError()) throw new UncheckedIOException(new IOException("CSV write failed"));
            }
        }
    }

    /** Sets libtorch's intra-op threads, one inter-op thread, and OpenBLAS's pthreads. */
    static void configureThreads(int threads, int blasThreads) {
        // inter-op threads can only be set once, before libtorch starts any parallel work; a second
        // call in the same process (e.g. from a test) throws, and the first setting stands
        try {
            torch.set_num_interop_threads(1);
        } catch (RuntimeException e) {
            if (torch.get_num_interop_threads() != 1) throw e;
        }
        torch.set_num_threads(threads);
        // libtorch's dgemm is OpenBLAS (pthreads build), which does not follow at::set_num_threads
        openblas_full.openblas_set_num_threads(blasThreads);
    }

    /**
     * Every {@link TorchMlp.Formulation} of the network, each as its own rows
     * ({@code libtorch-linear-silu}, {@code libtorch-addmm-xsigmoid}); the fastest gradient and the
     * fastest HVP (by median, each chosen on its own) are repeated as the {@code libtorch} rows that
     * morse compares against.
     */
    private static List<String> measure(NetworkSpec spec, Options o, PrintStream log) {
        List<String> rows = new ArrayList<>();
        Timing bestGradient = null;
        Timing bestHvp = null;
        String bestGradientForm = null;
        String bestHvpForm = null;
        for (TorchMlp.Formulation form : TorchMlp.Formulation.values()) {
            Timing[] t = measure(spec, form, o, log);
            rows.add(t[0].csvRow(spec.name(), IMPLEMENTATION + "-" + form.label, "gradient"));
            rows.add(t[1].csvRow(spec.name(), IMPLEMENTATION + "-" + form.label, "hvp"));
            if (bestGradient == null || t[0].median() < bestGradient.median()) {
                bestGradient = t[0];
                bestGradientForm = form.label;
            }
            if (bestHvp == null || t[1].median() < bestHvp.median()) {
                bestHvp = t[1];
                bestHvpForm = form.label;
            }
        }
        log.printf(Locale.ROOT, "libtorch %-22s fastest gradient: %s, fastest hvp: %s%n", spec, bestGradientForm, bestHvpForm);
        rows.add(bestGradient.csvRow(spec.name(), "gradient"));
        rows.add(bestHvp.csvRow(spec.name(), "hvp"));
        return rows;
    }

    private static Timing[] measure(NetworkSpec spec, TorchMlp.Formulation form, Options o, PrintStream log) {
        boolean peakReset = PeakRss.reset();
        try (TorchMlp mlp = new TorchMlp(spec, o.seed(), form)) {
            double loss = mlp.loss();
            warmUp(mlp::gradientOnce, o.warmup());
            warmUp(mlp::hvpOnce, o.warmup());
            Timing gradient = time(mlp::gradientOnce, o.reps());
            Timing hvp = time(mlp::hvpOnce, o.reps());
            String check = o.check()
                    ? String.format(Locale.ROOT, ", |Hv-fd|/|Hv| %.1e", hvpCheck(mlp, CHECK_STEP))
                    : "";
            long peakKiB = PeakRss.peakKiB();
            log.printf(Locale.ROOT,
                    "libtorch %-22s %-15s N=%d loss %.6f: gradient %s, hvp %s (hvp/gradient %.2f; median of %d)%s, "
                            + "peak RSS %s MiB%s%n",
                    spec, form.label, spec.parameterCount(), loss, seconds(gradient.median()), seconds(hvp.median()),
                    hvp.median() / gradient.median(), o.reps(), check,
                    peakKiB < 0 ? "?" : Long.toString(peakKiB / 1024), peakReset ? "" : " (since start)");
            return new Timing[] {gradient, hvp};
        }
    }

    static void warmUp(Runnable op, int minReps) {
        long start = System.nanoTime();
        for (int r = 0; r < minReps || (System.nanoTime() - start) * 1e-9 < WARMUP_SECONDS; r++) {
            op.run();
        }
    }

    static Timing time(Runnable op, int reps) {
        double[] s = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            op.run();
            s[r] = (System.nanoTime() - t0) * 1e-9;
        }
        return Timing.of(s);
    }

    /**
     * ‖Hv − (∇L(θ+εv) − ∇L(θ−εv))/2ε‖ / ‖Hv‖ along the benchmark's direction v; θ is restored.
     */
    static double hvpCheck(TorchMlp mlp, double eps) {
        double[] theta = mlp.parameters();
        double[] v = mlp.direction();
        double[] hv = mlp.hvp(v);
        double[] shifted = theta.clone();
        for (int i = 0; i < theta.length; i++) shifted[i] = theta[i] + eps * v[i];
        mlp.setParameters(shifted);
        double[] gPlus = mlp.gradient();
        for (int i = 0; i < theta.length; i++) shifted[i] = theta[i] - eps * v[i];
        mlp.setParameters(shifted);
        double[] gMinus = mlp.gradient();
        mlp.setParameters(theta);
        double num = 0;
        double den = 0;
        for (int i = 0; i < hv.length; i++) {
            double d = hv[i] - (gPlus[i] - gMinus[i]) / (2 * eps);
            num += d * d;
            den += hv[i] * hv[i];
        }
        return Math.sqrt(num / den);
    }

    private static String seconds(double s) {
        if (s >= 1) return String.format(Locale.ROOT, "%.3f s", s);
        if (s >= 1e-3) return String.format(Locale.ROOT, "%.3f ms", s * 1e3);
        return String.format(Locale.ROOT, "%.1f us", s * 1e6);
    }

    /** Peak resident set size from /proc/self/status (VmHWM), resettable per network via clear_refs. */
    static final class PeakRss {
        private PeakRss() {
        }

        /** Resets VmHWM to the current RSS (Linux ≥ 4.0); false if not permitted. */
        static boolean reset() {
            try {
                Files.writeString(Path.of("/proc/self/clear_refs"), "5");
                return true;
            } catch (IOException | SecurityException e) {
                return false;
            }
        }

        /** VmHWM in KiB, or -1 where /proc is unavailable. */
        static long peakKiB() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmHWM:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
            return -1;
        }
    }
}
