package dev.morse.cli;

import dev.morse.backend.cpu.CpuBackend;
import dev.morse.bench.NewtonBench;
import dev.morse.index.HessianOperator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code morse bench newton}: Newton-MR iterations end to end on the experiments' problems (CPU). */
@Command(name = "newton", mixinStandardHelpOptions = true,
        description = {"Batch throughput: a fixed number of Newton-MR iterations, end to end, on the problems of E2 "
                + "(deep linear autoencoder), E5 (16-8-16-16 autoencoder, 10000 MNIST images) and E6 "
                + "(16-12-8-10 classifier, 10000 images) at full size; median, min and max over repetitions, "
                + "HVPs per iteration, and the whole batch projected from the seconds per iteration.",
                "Writes newton.csv and newton.md to --out."})
final class NewtonBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "The specs' quick sizes (E5, E6: 1000 images), 3 iterations, 1 repetition.")
    boolean quick;

    @Option(names = "--iterations", defaultValue = "10", description = "Newton-MR iterations per repetition (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed repetitions (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--threads", description = "BLAS threads (default: all cores).")
    Integer threads;

    @Option(names = "--workers", description = "Batch workers assumed by the projection (default: cores / threads, as morse run).")
    Integer workers;

    @Option(names = "--spec", paramLabel = "FILE", description = "Spec files to time instead of E2, E5 and E6 (repeatable).")
    List<Path> specs;

    @picocli.CommandLine.Mixin
    BenchOutOption output = new BenchOutOption();

    @picocli.CommandLine.Mixin
    DataDirOption data = new DataDirOption();

    @Option(names = "--hessian", paramLabel = "ROUTE", description = "Force the Hessian route: auto (measured), dense "
            + "or matrix-free (default: each spec's hessian:).")
    String hessian;

    @Override
    public Integer call() throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        int t = threads != null ? threads : cores;
        int its = quick ? Math.min(iterations, 3) : iterations;
        int reps = quick ? 1 : repeats;
        if (t < 1 || its < 1 || reps < 1 || (workers != null && workers < 1)) {
            throw new UserException("--threads, --iterations, --repeats and --workers must be ≥ 1");
        }
        int w = workers != null ? workers : Math.max(1, cores / t);
        List<Path> files = new ArrayList<>();
        if (specs != null) {
            files.addAll(specs);
        } else {
            String home = System.getProperty("morse.home");
            files.addAll(NewtonBench.defaultSpecs((home == null ? Path.of(".") : Path.of(home)).resolve("experiments")));
        }
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new UserException("bench newton: spec file not found: " + f);
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        CpuBackend.setThreads(t);
        HessianOperator.Mode mode = null;
        if (hessian != null) {
            switch (hessian) {
                case "auto": mode = HessianOperator.Mode.AUTO; break;
                case "dense": mode = HessianOperator.Mode.DENSE; break;
                case "matrix-free": mode = HessianOperator.Mode.MATRIX_FREE; break;
                default: throw new UserException("--hessian must be auto, dense or matrix-free, got " + hessian);
            }
        }
        NewtonBench.Options o = new NewtonBench.Options(its, reps, t, w, quick, data.dataDir, mode);
        List<NewtonBench.Row> rows = new ArrayList<>();
        for (Path f : files) {
            rows.add(NewtonBench.run(f, o, CpuBackend::new, err));
        }
        StringBuilder cmd = new StringBuilder("morse bench newton");
        if (quick) {
            cmd.append(" --quick");
        }
        cmd.append(" --iterations ").append(its).append(" --repeats ").append(reps).append(" --threads ").append(t)
                .append(" --workers ").append(w);
        if (hessian != null) {
            cmd.append(" --hessian ").append(hessian);
        }
        String md = NewtonBench.markdown(rows, BenchCommand.Hvp.machine() + "; Java " + System.getProperty("java.version")
                + "; OpenBLAS " + CpuBackend.buildInfo() + ", " + CpuBackend.threadTimeout(), cmd.toString(), o);
        StringBuilder csv = new StringBuilder(NewtonBench.CSV_HEADER).append('\n');
        for (NewtonBench.Row r : rows) {
            csv.append(r.csv()).append('\n');
        }
        Path out = output.out;
        Files.createDirectories(out);
        Files.writeString(out.resolve("newton.csv"), csv.toString());
        Files.writeString(out.resolve("newton.md"), md);
        PrintWriter o2 = spec.commandLine().getOut();
        o2.print(md);
        o2.println();
        o2.println("wrote " + out.resolve("newton.csv") + " and " + out.resolve("newton.md"));
        o2.flush();
        return 0;
    }
}
