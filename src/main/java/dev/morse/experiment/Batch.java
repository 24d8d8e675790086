package dev.morse.experiment;

import dev.morse.backend.Backend;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * One batch from spec to results directory: build the problem (data, network), the start
 * points, the analytic table where there is one, run the jobs on the workers, rebuild the
 * report.
 */
public final class Batch {
    /** Where and how: output directory, resume, shard i/n, MNIST directory override, workers, progress. */
    public record Options(Path out, boolean resume, int shardIndex, int shardCount, Path dataDir, int workers,
                          PrintStream progress, boolean tty) {
    }

    private Batch() {
    }

    /**
     * Runs the batch; {@code backends} opens one backend per call (one for preparation, one per
     * worker). Every refusal ({@link Preflight}) comes before anything is written; the
     * directory is locked ({@link ResultsLock}) from then to the end of the report. A report
     * that fails is one line on the progress stream and {@link Runner.Outcome#reportError()}:
     * the records stay as they are.
     */
    public static Runner.Outcome run(Spec spec, Options o, Supplier<Backend> backends) throws IOException {
        Preflight.Request req = new Preflight.Request(spec, o.out(), o.resume(), o.shardIndex(), o.shardCount());
        Preflight.check(req);
        try {
            Files.createDirectories(o.out());
        } catch (IOException e) {
            throw new SpecException("--out", "cannot create " + o.out() + ": " + Outputs.cause(e));
        }
        try (ResultsLock lock = ResultsLock.acquire(o.out(), "morse run")) {
            Preflight.check(req); // again: another writer may have finished in between
            Runner.Outcome res = runLocked(spec, o, backends);
            String reportError = rebuildReport(o.out(), o.progress());
            return reportError == null ? res : res.withReportError(reportError);
        }
    }

    /**
     * Rebuilds the report of a results directory the caller has locked; returns null, or the
     * one-line reason it failed (also printed on {@code progress}).
     */
    public static String rebuildReport(Path out, PrintStream progress) {
        try {
            Report.rebuild(out);
            return null;
        } catch (IOException | RuntimeException e) {
            String why = "report of " + out + " failed: " + Outputs.cause(e) + " (records untouched; rerun with "
                    + "morse report " + out + ")";
            (progress != null ? progress : System.err).println("morse: " + why);
            return why;
        }
    }

    private static Runner.Outcome runLocked(Spec spec, Options o, Supplier<Backend> backends) throws IOException {
        // interrupted while preparing: nothing new is recorded, but say so as the runner does
        int recorded = RunsFile.read(o.out().resolve("runs.jsonl"), null).size();
        int mine = Runner.shard(Runner.jobs(spec), o.shardIndex(), o.shardCount()).size();
        Thread hook = new Thread(() -> {
            PrintStream ps = o.progress() != null ? o.progress() : System.err;
            ps.println("interrupted: " + recorded + " of " + mine + " runs recorded; continue with --resume");
            ps.flush();
        }, "morse-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        Prepared p;
        try {
            p = prepare(spec, o, backends);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs
            }
        }
        return Runner.run(spec, new Runner.Options(o.out(), o.resume(), o.shardIndex(), o.shardCount(),
                        o.workers(), o.progress(), o.tty()),
                () -> new Executor(spec, p.problem(), p.starts(), p.analytic(), o.out(), backends.get(), p.indexRoute()));
    }

    /**
     * What the workers share: the problem, the start points, the analytic table (if any), and the
     * index route the memory check chose.
     */
    private record Prepared(Problem problem, List<StartPoints.StartPoint> starts, List<AnalyticTable.Row> analytic,
                            dev.morse.index.IndexEstimator.Method indexRoute) {
    }

    private static Prepared prepare(Spec spec, Options o, Supplier<Backend> backends) throws IOException {
        Problem problem = Problem.build(spec.problem(), o.dataDir());
        int count = 0;
        for (Spec.MethodSpec m : spec.methods()) {
            count = Math.max(count, m.runs());
        }
        List<StartPoints.StartPoint> starts;
        List<AnalyticTable.Row> analytic = List.of();
        log(o, "problem: " + problem.description() + " (N = " + problem.nParams() + ")");
        dev.morse.index.IndexEstimator.Method indexRoute;
        try (Backend prep = backends.get()) {
            // the last refusal (a dense Hessian or index route that cannot fit), before the batch
            // writes its first file
            indexRoute = MemoryCheck.require(spec, problem.nParams(), o.workers(), prep);
            Runner.begin(spec, o.out(), o.shardIndex(), o.shardCount());
            if (problem.deepLinearAutoencoder() != null || !problem.knownCriticalPoints().isEmpty()) {
                Path csv = o.out().resolve("analytic.csv");
                if (o.resume() && Files.exists(csv)) {
                    analytic = AnalyticTable.read(csv);
                } else {
                    log(o, "analytic critical points: computing the loss and Morse index of "
                            + Math.max(problem.analyticPoints().size(), problem.knownCriticalPoints().size())
                            + (problem.custom() != null ? " given points" : " classes"));
                    analytic = AnalyticTable.compute(problem, prep);
                    AnalyticTable.write(csv, analytic);
                }
            }
            log(o, "start points: " + count + " (" + SpecNode.word(spec.start().kind())
                    + (spec.start().kind() == Spec.StartSpec.Kind.OPTIMIZER ? ", " + spec.start().trajectories() + " "
                    + spec.start().optimizer() + " trajectories of " + spec.start().steps() + " steps" : "") + ")");
            starts = StartPoints.make(spec, problem, prep, count);
        }
        return new Prepared(problem, starts, analytic, indexRoute);
    }

    private static void log(Options o, String s) {
        if (o.progress() != null) {
            o.progress().println(s);
        }
    }
}
