package dev.morse.cli;

import dev.morse.ad.Shards;
import dev.morse.backend.Backend;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.bench.HvpBench;
import dev.morse.bench.HvpBench.Net;
import dev.morse.bench.HvpBench.Row;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code morse bench SUITE}: timing tables across backends and sizes, with peers. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks. Suites: hvp (gradient and Hessian-vector products of MLPs, with libtorch and the dgemm peak), "
                + "index (the Morse index past the dense limit: SLQ band, Lanczos extremes, inertia against dsyevd), "
                + "newton (Newton-MR iterations end to end on the problems of E2, E5 and E6), "
                + "combine (several runs of hvp as one table of medians over runs).",
        subcommands = {BenchCommand.Hvp.class, IndexBenchCommand.class, NewtonBenchCommand.class, BenchCombineCommand.class})
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "hvp", mixinStandardHelpOptions = true,
            description = {"Gradient, full HVP (linearization + HVP), marginal HVP and hvpBlock per-direction cost "
                    + "for the MLPs of the engine issue, on every usable morse backend, beside libtorch "
                    + "(float64, double-backward HVP, same threads) and the OpenBLAS dgemm rate, all in one run.",
                    "Writes hvp.csv and hvp.md to --out."})
    static final class Hvp implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--quick", description = "Only the three smallest networks.")
        boolean quick;

        @picocli.CommandLine.Mixin
        BenchOutOption output = new BenchOutOption();

        @Option(names = "--no-peer", description = "Skip the libtorch peer.")
        boolean noPeer;

        @Option(names = "--networks", split = ",", paramLabel = "NET",
                description = "Networks to run instead of the standard list, e.g. 784-64-10@10000 or 16-8-16-16@100:mse:nobias.")
        List<String> networks;

        @Option(names = "--budget", defaultValue = "2.0", description = "Seconds of repetitions per operation (default: ${DEFAULT-VALUE}).")
        double budget;

        @Option(names = "--block", defaultValue = "32", description = "Directions per hvpBlock call, at most: capped at the plan's block capacity (default: ${DEFAULT-VALUE}).")
        int block;

        @Option(names = "--shards", defaultValue = "auto", paramLabel = "auto|N",
                description = "Split each network's loss by rows into N shards run at once, one per core (dev.morse.ad.Shards); "
                        + "auto: one per BLAS thread where each gets at least " + Shards.MIN_ROWS + " examples, as morse "
                        + "runs a loss by default; 1: the unsplit plan (default: ${DEFAULT-VALUE}).")
        String shards;

        @Option(names = "--peer-reps", defaultValue = "5", description = "Timed repetitions per libtorch operation (default: ${DEFAULT-VALUE}).")
        int peerReps;

        @Override
        public Integer call() throws IOException {
            PrintWriter err = spec.commandLine().getErr();
            List<String> specs = networks != null ? networks
                    : (quick ? HvpBench.NETWORKS.subList(0, 3) : HvpBench.NETWORKS);
            List<Net> nets = new ArrayList<>();
            for (String s : specs) {
                try {
                    nets.add(Net.parse(s));
                } catch (IllegalArgumentException e) {
                    throw new UserException(e.getMessage());
                }
            }
            if (block < 1) {
                throw new UserException("--block must be ≥ 1, got " + block);
            }
            int split = 0; // auto
            if (!shards.equals("auto")) {
                try {
                    split = Integer.parseInt(shards);
                } catch (NumberFormatException e) {
                    split = -1;
                }
                if (split < 1) {
                    throw new UserException("--shards expects auto or a count ≥ 1, got " + shards);
                }
            }
            Path out = output.out;
            Files.createDirectories(out);
            List<Row> rows = new ArrayList<>();
            dev.morse.backend.Backends.CudaStatus cst = dev.morse.backend.Backends.cudaStatus();
            String cudaWhy = cst.usable() ? null : cst.reason();
            int threads;
            String blas;
            try (Backend cpu = new CpuBackend()) {
                threads = CpuBackend.threads();
                blas = CpuBackend.buildInfo();
                err.println("bench hvp: dgemm 2048³ on OpenBLAS (" + threads + " threads)");
                err.flush();
                rows.add(HvpBench.dgemm(cpu, "openblas", 2048, budget));
                for (Net net : nets) {
                    err.println("bench hvp: " + net.name() + " on morse-cpu");
                    err.flush();
                    rows.addAll(HvpBench.run(net, cpu, "morse-cpu", block, budget, split));
                }
            }
            Backend gpuBackend = null;
            if (cudaWhy == null) {
                // the probe can pass while the context still fails (kernels not loadable, ...)
                try {
                    gpuBackend = dev.morse.backend.Backends.open(dev.morse.backend.Backends.Choice.CUDA).backend();
                } catch (dev.morse.backend.BackendUnavailableException e) {
                    cudaWhy = e.reason();
                }
            }
            if (gpuBackend == null) {
                err.println("bench hvp: morse-cuda skipped (" + cudaWhy + ")");
            } else {
                try (Backend gpu = gpuBackend) {
                    err.println("bench hvp: morse-cuda on " + gpu.description());
                    rows.add(HvpBench.dgemm(gpu, "morse-cuda", 2048, budget));
                    for (Net net : nets) {
                        err.println("bench hvp: " + net.name() + " on morse-cuda");
                        err.flush();
                        rows.addAll(HvpBench.run(net, gpu, "morse-cuda", block, budget));
                    }
                }
            }
            String peerNote;
            if (noPeer) {
                peerNote = "libtorch peer skipped (--no-peer)";
            } else {
                PeerResult pr = runPeer(specs, threads, err);
                rows.addAll(pr.rows);
                peerNote = pr.note;
            }
            err.println("bench hvp: " + peerNote);
            err.flush();
            StringBuilder csv = new StringBuilder("network,implementation,operation,median_s,min_s,max_s,reps\n");
            for (Row r : rows) {
                csv.append(r.csv()).append('\n');
            }
            writeAtomically(out.resolve("hvp.csv"), csv.toString());
            String splitNote = split == 0 ? "loss split by rows into " + threads + " shards run at once (Shards) on the "
                    + "networks with ≥ " + (long) threads * Shards.MIN_ROWS + " examples"
                    : split == 1 ? "loss not split (--shards 1)" : "loss split by rows into " + split + " shards (--shards)";
            String md = markdown(nets, rows, threads, blas, CpuBackend.threadTimeout() + "; " + splitNote, peerNote,
                    cudaWhy);
            writeAtomically(out.resolve("hvp.md"), md);
            PrintWriter o = spec.commandLine().getOut();
            o.print(md);
            o.println();
            o.println("wrote " + out.resolve("hvp.csv") + " and " + out.resolve("hvp.md"));
            o.flush();
            return 0;
        }

        private record PeerResult(List<Row> rows, String note) {
        }

        /** Builds (first use) and runs the libtorch peer in its own JVM; its rows join ours. */
        private PeerResult runPeer(List<String> specs, int threads, PrintWriter err) {
            String home = System.getProperty("morse.home");
            if (home == null) {
                return new PeerResult(List.of(), "libtorch peer skipped: morse.home is not set (run through ./morse)");
            }
            Path root = Path.of(home);
            Path cpFile = root.resolve("bench/target/classpath.txt");
            try {
                if (!Files.exists(cpFile) || !Files.exists(root.resolve("bench/target/classes"))) {
                    err.println("bench hvp: building the libtorch peer (first use; downloads libtorch from Maven Central)");
                    err.flush();
                    Process b = new ProcessBuilder("bash", root.resolve("bench/build.sh").toString())
                            .directory(root.toFile()).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    if (b.waitFor() != 0 || !Files.exists(cpFile)) {
                        return new PeerResult(List.of(), "libtorch peer skipped: bench/build.sh failed (exit "
                                + b.exitValue() + "); run it by hand to see why");
                    }
                }
                Path tmp = Files.createTempFile("morse-peer", ".csv");
                String java = ProcessHandle.current().info().command().orElse("java");
                List<String> cmd = new ArrayList<>(List.of(java, "-Dorg.bytedeco.javacpp.maxBytes=0",
                        "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0", "-cp",
                        root.resolve("bench/target/classes") + ":" + Files.readString(cpFile).trim(),
                        "dev.morse.bench.torch.TorchPeer", "--threads", String.valueOf(threads),
                        "--reps", String.valueOf(peerReps), "--out", tmp.toString()));
                cmd.addAll(specs);
                err.println("bench hvp: libtorch peer (" + threads + " threads)");
                err.flush();
                Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                int rc = p.waitFor();
                if (rc != 0) {
                    return new PeerResult(List.of(), "libtorch peer failed (exit " + rc + ")");
                }
                List<Row> rows = new ArrayList<>();
                for (String line : Files.readAllLines(tmp)) {
                    if (line.isBlank() || line.startsWith("network,")) {
                        continue;
                    }
                    String[] f = line.split(",");
                    rows.add(new Row(f[0], f[1], f[2], new dev.morse.bench.Timing(Double.parseDouble(f[3]),
                            Double.parseDouble(f[4]), Double.parseDouble(f[5]), Integer.parseInt(f[6]))));
                }
                Files.deleteIfExists(tmp);
                return new PeerResult(rows, "libtorch 2.7.1 (org.bytedeco:pytorch 2.7.1-1.5.12), " + threads
                        + " threads, " + peerReps + " reps; \"libtorch\" is the fastest of its formulations per network and "
                        + "operation (linear-silu: torch.linear, W [out, in], native silu; addmm-xsigmoid: addmm, W [in, out], "
                        + "x·sigmoid(x)), each formulation's own rows are in hvp.csv");
            } catch (IOException e) {
                return new PeerResult(List.of(), "libtorch peer skipped: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new PeerResult(List.of(), "libtorch peer interrupted");
            }
        }

        private static void writeAtomically(Path target, String content) throws IOException {
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }

        static String machine() {
            String model = "unknown CPU";
            try {
                for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (l.startsWith("model name")) {
                        model = l.substring(l.indexOf(':') + 1).trim();
                        break;
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // not Linux: keep the placeholder
            }
            return model + ", " + Runtime.getRuntime().availableProcessors() + " cores";
        }

        static String markdown(List<Net> nets, List<Row> rows, int threads, String blas, String spin, String peerNote,
                               String cudaWhy) {
            Map<String, Row> by = new LinkedHashMap<>();
            for (Row r : rows) {
                by.put(r.network() + "|" + r.implementation() + "|" + r.operation(), r);
            }
            StringBuilder sb = new StringBuilder();
            sb.append("# morse bench hvp\n\n");
            sb.append("- machine: ").append(machine()).append("; Java ").append(System.getProperty("java.version"))
                    .append('\n');
            sb.append("- morse-cpu: OpenBLAS ").append(blas).append(", ").append(threads).append(" threads, ").append(spin).append('\n');
            sb.append("- morse-cuda: ").append(cudaWhy == null ? "measured" : "not measured (" + cudaWhy + ")")
                    .append('\n');
            sb.append("- peer: ").append(peerNote).append('\n');
            sb.append("- times are medians in ms; hvp = linearization + one HVP; marginal = one more HVP at the same θ; "
                    + "block = hvpBlock per direction, timed on one tangent pass of min(--block, the plan's block capacity) "
                    + "directions (\"k = 1\": the plan holds one direction, so a block is a loop of marginal HVPs); "
                    + "full min/max in hvp.csv\n");
            for (String impl : new String[] {"morse-cpu", "morse-cuda"}) {
                String dgImpl = impl.equals("morse-cpu") ? "openblas" : impl;
                Row dg = rows.stream().filter(r -> r.operation().equals("dgemm") && r.implementation().equals(dgImpl))
                        .findFirst().orElse(null);
                if (nets.stream().noneMatch(net -> by.containsKey(net.name() + "|" + impl + "|gradient"))) {
                    continue;
                }
                double dgemmRate = Double.NaN;
                if (dg != null) {
                    int nn = Integer.parseInt(dg.network().substring("dgemm-".length()));
                    dgemmRate = 2.0 * nn * nn * nn / dg.t().medianS() / 1e9;
                    sb.append(String.format(Locale.ROOT, "%n%s: dgemm %d³ at %.1f GFLOP/s (%s, median of %d, spread %.0f%%)%n",
                            impl, nn, dgemmRate, dgImpl, dg.t().reps(), 100 * dg.t().spread()));
                }
                sb.append("\n| network | N | gradient | hvp | marginal (spread) | block/dir | libtorch grad | libtorch hvp "
                        + "| marginal / libtorch hvp | marginal / grad | hvp / grad | marginal GFLOP/s | % of dgemm |\n");
                sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
                for (Net net : nets) {
                    String k = net.name() + "|" + impl + "|";
                    Row g = by.get(k + "gradient");
                    Row h = by.get(k + "hvp");
                    Row m = by.get(k + "hvp_marginal");
                    Row bl = by.get(k + "hvp_block_per_direction");
                    Row tg = by.get(net.name() + "|libtorch|gradient");
                    Row th = by.get(net.name() + "|libtorch|hvp");
                    if (g == null || h == null || m == null) {
                        continue;
                    }
                    double rate = net.marginalHvpFlops() / m.t().medianS() / 1e9;
                    sb.append(String.format(Locale.ROOT,
                            "| %s | %d | %s | %s | %s (%.0f%%) | %s | %s | %s | %s | %.2f | %.2f | %.1f | %.0f%% |%n",
                            net.name(), net.mlp().nParams(), ms(g), ms(h), ms(m), 100 * m.t().spread(),
                            bl == null ? "– (k = 1)" : ms(bl),
                            tg == null ? "–" : ms(tg), th == null ? "–" : ms(th),
                            th == null ? "–" : String.format(Locale.ROOT, "%.3f", m.t().medianS() / th.t().medianS()),
                            m.t().medianS() / g.t().medianS(), h.t().medianS() / g.t().medianS(), rate,
                            100 * rate / dgemmRate));
                }
            }
            sb.append("\nmarginal GFLOP/s counts the GEMM flops of one HVP (4nab for the first layer, 12nab for "
                    + "each later one, n examples, a×b weights); elementwise work is not counted.\n");
            return sb.toString();
        }

        private static String ms(Row r) {
            return ms(r.t().medianS());
        }

        /** Seconds as milliseconds with the tables' precision (4 decimals below 1 ms, 2 below 100). */
        static String ms(double seconds) {
            double v = seconds * 1e3;
            return String.format(Locale.ROOT, v < 1 ? "%.4f" : (v < 100 ? "%.2f" : "%.0f"), v);
        }
    }
}
