package dev.morse.cli;

import dev.morse.backend.cpu.CpuBackend;
import dev.morse.bench.IndexBench;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code morse bench index}: the index targets of issue 10 in one run (CPU). */
@Command(name = "index", mixinStandardHelpOptions = true,
        description = {"The Morse index past the dense limit: SLQ index band, λ_min and λ_max of 784-1024-10 on 10000 "
                + "MNIST images (N = 814,090) with time, HVPs and peak memory; the SLQ band width at N ≈ 2000 with the "
                + "default budget at δ = 1e-3 against dsyevd; exact inertia against dsyevd at N = 4096; optionally "
                + "inertia at the largest N that fits memory.", "Writes index.md to --out."})
final class IndexBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "Small sizes (784-32-10 on 500 images, N ≈ 1000 and 512), under a minute on an idle machine.")
    boolean quick;

    @Option(names = "--band-only", description = "Only the N ≈ 2000 band case (the SLQ band against dsyevd over probe seeds).")
    boolean bandOnly;

    @Option(names = "--seeds", defaultValue = "20", description = "Probe seeds of the band case (--quick: at most 3;"
            + " 0 skips the band case; default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--largest-only", description = "Only inertia at the largest N (no large, band or N = 4096 case).")
    boolean largestOnly;

    @Option(names = "--largest", description = "Also inertia at the largest N whose dense route fits the free memory (long).")
    boolean largest;

    @Option(names = "--probes", defaultValue = "0", description = "SLQ probes of the large and band cases; 0 (the default):"
            + " adaptive (docs/INDEX.md).")
    int probes;

    @Option(names = "--steps", defaultValue = "0", description = "Lanczos steps of the large case; 0 (the default):"
            + " adaptive, capped at 100 there (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--threshold", defaultValue = "1e-5", description = "δ asked in the large case (default: ${DEFAULT-VALUE}).")
    double threshold;

    @picocli.CommandLine.Mixin
    BenchOutOption output = new BenchOutOption();

    @picocli.CommandLine.Mixin
    DataDirOption data = new DataDirOption();

    @Override
    public Integer call() throws IOException {
        if ((probes < 2 && probes != 0) || (steps < 2 && steps != 0) || seeds < 0 || (seeds == 0 && bandOnly)) {
            throw new UserException("--probes and --steps must be ≥ 2 or 0 (adaptive), --seeds ≥ 0 (≥ 1 with --band-only)");
        }
        PrintWriter err = spec.commandLine().getErr();
        IndexBench.Options o = quick
                ? new IndexBench.Options(true, 32, 500, probes == 0 ? 0 : Math.min(probes, 4), steps == 0 ? 30 : Math.min(steps, 30), threshold, 1000, 512, Math.min(seeds, 3), largest, bandOnly, largestOnly, data.dataDir)
                : new IndexBench.Options(false, 1024, 10000, probes, steps, threshold, 2000, 4096, seeds, largest, bandOnly, largestOnly, data.dataDir);
        if (bandOnly && largestOnly) {
            throw new UserException("--band-only and --largest-only exclude each other");
        }
        String cmd = "morse bench index" + (quick ? " --quick" : "") + (largest ? " --largest" : "")
                + (largestOnly ? " --largest-only" : "")
                + (bandOnly ? " --band-only" : "") + " --seeds " + (quick ? Math.min(seeds, 3) : seeds)
                + " --probes " + probes + " --steps " + steps + " --threshold " + threshold;
        Path out = output.out;
        Files.createDirectories(out);
        Path file = out.resolve("index.md");
        // written after every case, so a run that dies in a later case keeps the earlier ones
        List<IndexBench.Row> rows = IndexBench.run(o, CpuBackend::new, err, r -> {
            try {
                Files.writeString(file, IndexBench.markdown(r, cmd));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String md = IndexBench.markdown(rows, cmd);
        PrintWriter o2 = spec.commandLine().getOut();
        o2.print(md);
        o2.println("written: " + out.resolve("index.md"));
        o2.flush();
        return 0;
    }
}
