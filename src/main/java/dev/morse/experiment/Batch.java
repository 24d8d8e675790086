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
     * worker).
     */
    public static Runner.Outcome run(Spec spec, Options o, Supplier<Backend> backends) throws IOException {
        Files.createDirectories(o.out());
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
            indexRoute = MemoryCheck.require(spec, problem.nParams(), o.workers(), prep);
            if (problem.deepLinearAutoencoder() != null) {
                Path csv = o.out().resolve("analytic.csv");
                if (o.resume() && Files.exists(csv)) {
                    analytic = AnalyticTable.read(csv);
                } else {
                    log(o, "analytic critical points: computing the loss and Morse index of "
                            + problem.analyticPoints().size() + " classes");
                    analytic = AnalyticTable.compute(problem, prep);
                    AnalyticTable.write(csv, analytic);
                }
            }
            log(o, "start points: " + count + " (" + spec.start().kind()
                    + (spec.start().kind().equals("optimizer") ? ", " + spec.start().trajectories() + " "
                    + spec.start().optimizer() + " trajectories of " + spec.start().steps() + " steps" : "") + ")");
            starts = StartPoints.make(spec, problem, prep, count);
        }
        List<AnalyticTable.Row> table = analytic;
        Runner.Outcome res = Runner.run(spec, new Runner.Options(o.out(), o.resume(), o.shardIndex(), o.shardCount(),
                        o.workers(), o.progress(), o.tty()),
                () -> new Executor(spec, problem, starts, table, o.out(), backends.get(), indexRoute));
        Report.rebuild(o.out());
        return res;
    }

    private static void log(Options o, String s) {
        if (o.progress() != null) {
            o.progress().println(s);
        }
    }
}
