package dev.morse.cli;

import dev.morse.backend.Backend;
import dev.morse.backend.Backends;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.experiment.Batch;
import dev.morse.experiment.FailureCounts;
import dev.morse.experiment.Preflight;
import dev.morse.experiment.RunsFile;
import dev.morse.experiment.Runner;
import dev.morse.experiment.Spec;
import dev.morse.experiment.Suite;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code morse run SPEC}: a batch experiment (or a suite of them) into a results directory. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a batch experiment from a spec file (YAML or JSON; see docs/SPEC.md), or a suite of them.",
                "Writes runs.jsonl (one record per finished run), traces/, spectra/, summary.md and plots/ to --out. "
                        + "Exit 0 ok, 1 some runs failed (recorded), 2 bad spec or data."})
public final class RunCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SPEC", description = "The spec (or suite) file.")
    Path specFile;

    @Option(names = "--out", description = "Results directory (default: results/<spec name>).")
    Path out;

    @Option(names = "--quick", description = "Run the scaled-down version the spec defines in its quick: block.")
    boolean quick;

    @Option(names = "--resume", description = "Continue a batch in --out: runs already recorded are skipped.")
    boolean resume;

    @Option(names = "--shard", paramLabel = "i/n", description = "Run only shard i of n (1-based) of the jobs; join "
            + "shard directories with morse merge.")
    String shard;

    @Option(names = "--backend", description = "auto, cpu or cuda (default: the spec's backend, else auto).")
    String backend;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Directory with the MNIST IDX files (overrides the spec).")
    Path dataDir;

    @picocli.CommandLine.Mixin
    ClasspathOption classpath = new ClasspathOption();

    @Option(names = "--workers", description = "Parallel runs, 1 to " + MAX_WORKERS + " (default: the spec's workers:, "
            + "else one per core on the CPU, one on a GPU).")
    Integer workers;

    /** The most workers a batch takes (each holds its own backend and compiled plan). */
    static final int MAX_WORKERS = 1024;

    @Override
    public Integer call() throws Exception {
        return classpath.around(this::runBatches);
    }

    private int runBatches() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.exists(specFile)) {
            throw new UserException("spec file not found: " + specFile);
        }
        int si = 1;
        int sn = 1;
        if (shard != null) {
            String[] f = shard.split("/", -1);
            try {
                if (f.length != 2) {
                    throw new IllegalArgumentException();
                }
                si = Integer.parseInt(f[0]);
                sn = Integer.parseInt(f[1]);
            } catch (RuntimeException e) {
                throw new UserException("--shard expects i/n, e.g. 2/8; got '" + shard + "'");
            }
            if (sn < 1 || si < 1 || si > sn) {
                throw new UserException("--shard expects 1 ≤ i ≤ n, got " + shard);
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        if (workers != null) {
            if (workers < 1 || workers > MAX_WORKERS) {
                throw new UserException("--workers expects 1 to " + MAX_WORKERS + ", got " + workers);
            }
            if (workers > cores) {
                err.println("morse: --workers " + workers + " on " + cores + " cores: runs share the cores (records "
                        + "are the same, times per run are longer)");
                err.flush();
            }
        }
        List<Spec> specs = new ArrayList<>();
        List<Path> outs = new ArrayList<>();
        if (Suite.isSuite(specFile)) {
            Path base = out != null ? out : Path.of("results", specFile.getFileName().toString().replaceAll("\\.ya?ml$", ""));
            for (Suite.Entry e : Suite.load(specFile)) {
                Spec s = Spec.load(e.spec(), e.quick() || quick);
                specs.add(s);
                outs.add(base.resolve(s.name()));
            }
        } else {
            Spec s = Spec.load(specFile, quick);
            specs.add(s);
            outs.add(out != null ? out : Path.of("results", s.name() + (quick ? "-quick" : "")));
        }
        for (int i = 0; i < specs.size(); i++) { // every refusal before any member of a suite runs
            if (specs.get(i).problem().kind() == dev.morse.experiment.ProblemKind.JAVA) {
                dev.morse.experiment.JavaProblems.instantiate(specs.get(i).problem()); // a missing class: exit 2 now
            }
            Preflight.check(new Preflight.Request(specs.get(i), outs.get(i), resume, si, sn));
        }
        PrintStream progress = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true);
        boolean tty = System.console() != null;
        int failed = 0;
        int reportsFailed = 0;
        for (int i = 0; i < specs.size(); i++) {
            Spec s = specs.get(i);
            Path o = outs.get(i);
            Backends.Resolution be = BackendOption.resolve(backend != null ? BackendOption.parse(backend)
                    : s.backend(), err);
            boolean cuda = be.backend() == Backends.Choice.CUDA;
            int w = workers != null ? workers : (s.workers() > 0 ? s.workers() : (cuda ? 1 : cores));
            if (!cuda) {
                CpuBackend.setThreads(Math.max(1, cores / w));
            }
            Supplier<Backend> opener = be::open;
            progress.println(header(s, o, si, sn, w, cuda ? "cuda" : "cpu", quick));
            Runner.Outcome res = Batch.run(s, new Batch.Options(o, resume, si, sn, dataDir, w, progress, tty), opener);
            failed += res.failed();
            if (res.reportError() != null) {
                reportsFailed++;
            }
            progress.println("morse run: " + s.name() + ": " + res.ran() + " runs done (" + res.skipped()
                    + " already recorded), " + res.critical() + " critical, " + res.failed() + " failed");
            if (res.failed() > 0) {
                String why = FailureCounts.line(RunsFile.read(o.resolve("runs.jsonl"), null));
                if (why != null) {
                    progress.println("morse run: " + s.name() + ": " + why);
                }
            }
        }
        PrintWriter outw = spec.commandLine().getOut();
        for (int i = 0; i < specs.size(); i++) {
            Path o = outs.get(i);
            if (!Files.exists(o.resolve("summary.md"))) {
                continue; // its report failed (said above)
            }
            outw.println();
            outw.print(Files.readString(o.resolve("summary.md")));
            outw.println();
            outw.println("results: " + o.toAbsolutePath() + " (summary.md, plots/, runs.jsonl)");
        }
        outw.flush();
        if (reportsFailed > 0) {
            err.println("morse: " + reportsFailed + " report" + (reportsFailed == 1 ? "" : "s") + " failed (said above); "
                    + "the records are whole");
            err.flush();
        }
        return failed > 0 || reportsFailed > 0 ? 1 : 0;
    }

    /** The first line of a batch: "morse run: NAME → DIR (50 of 100 runs: shard 1/2, 1 worker, cpu)". */
    static String header(Spec s, Path o, int si, int sn, int w, String backend, boolean quick) {
        int mine = Runner.shard(Runner.jobs(s), si, sn).size();
        return "morse run: " + s.name() + " → " + o + " (" + (sn > 1 ? mine + " of " + s.totalRuns() + " runs: shard "
                + si + "/" + sn : s.totalRuns() + " runs") + ", " + w + (w == 1 ? " worker, " : " workers, ") + backend
                + (quick ? ", quick" : "") + ")";
    }
}
