package dev.morse.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.morse.index.PointClass;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs a spec's batch into a results directory: jobs in a deterministic order, a share of
 * them with {@code --shard i/n}, in parallel on W workers (each with its own backend and
 * plan), each finished run's trace written first and then its record appended to
 * {@code runs.jsonl} and forced to disk. {@code --resume} skips the runs already recorded.
 */
public final class Runner {
    /** How to run: output directory, resume, shard i of n (1-based), workers, progress stream. */
    public record Options(Path out, boolean resume, int shardIndex, int shardCount, int workers, PrintStream progress,
                          boolean tty) {
    }

    /** Counts after a batch; {@code reportError} is null unless its report failed. */
    public record Outcome(int total, int ran, int skipped, int failed, int critical, String reportError) {
        public Outcome(int total, int ran, int skipped, int failed, int critical) {
            this(total, ran, skipped, failed, critical, null);
        }

        Outcome withReportError(String why) {
            return new Outcome(total, ran, skipped, failed, critical, why);
        }
    }

    private Runner() {
    }

    /** All jobs of the spec, in order. */
    public static List<Job> jobs(Spec spec) {
        List<Job> jobs = new ArrayList<>();
        int ord = 0;
        for (int m = 0; m < spec.methods().size(); m++) {
            Spec.MethodSpec ms = spec.methods().get(m);
            for (int r = 0; r < ms.runs(); r++) {
                jobs.add(new Job(ord++, m, ms.name(), r, Job.seed(spec.seed(), m, r)));
            }
        }
        return jobs;
    }

    /** The jobs of shard i of n (1-based): every n-th job starting at i−1. */
    public static List<Job> shard(List<Job> jobs, int i, int n) {
        if (n < 1 || i < 1 || i > n) {
            throw new SpecException("--shard", "expected i/n with 1 ≤ i ≤ n, got " + i + "/" + n);
        }
        List<Job> out = new ArrayList<>();
        for (Job j : jobs) {
            if (j.ordinal() % n == i - 1) {
                out.add(j);
            }
        }
        return out;
    }

    /**
     * Writes what identifies the batch in its directory (spec.json, shard.json), after
     * {@link Preflight} passed and under the directory's {@link ResultsLock}.
     */
    static void begin(Spec spec, Path out, int shardIndex, int shardCount) throws IOException {
        RunsFile.writeAtomically(out.resolve("spec.json"), spec.canonical() + "\n");
        RunsFile.writeAtomically(out.resolve(Preflight.SHARD_FILE), "{\"index\": " + shardIndex + ", \"count\": "
                + shardCount + "}\n");
    }

    /**
     * Runs the batch (the directory already checked by {@link Preflight} and locked). {@code
     * executors} makes one executor per worker (called on that worker's thread). A failed
     * write stops the batch: the run whose output could not be written is not recorded (so
     * {@code --resume} runs it again), runs in flight finish, and an {@link Outputs.Failure}
     * names the path and the cause. SIGINT / SIGTERM stop it the same way, after the record
     * being written is on disk.
     */
    public static Outcome run(Spec spec, Options opt, Supplier<RunExecutor> executors) throws IOException {
        Path out = opt.out();
        Path runsPath = out.resolve("runs.jsonl");
        Set<String> done = new HashSet<>();
        for (ObjectNode r : RunsFile.readForResume(runsPath, opt.progress())) {
            done.add(r.path("method").asText() + "#" + r.path("run").asInt());
        }
        Files.createDirectories(out.resolve("traces"));

        List<Job> mine = shard(jobs(spec), opt.shardIndex(), opt.shardCount());
        List<Job> todo = new ArrayList<>();
        for (Job j : mine) {
            if (!done.contains(j.method() + "#" + j.run())) {
                todo.add(j);
            }
        }
        int skipped = mine.size() - todo.size();
        int workers = Math.max(1, Math.min(opt.workers(), Math.max(1, todo.size())));
        Progress progress = new Progress(opt.progress(), opt.tty(), todo.size(), skipped);
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger critical = new AtomicInteger();
        AtomicInteger recorded = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<String> writeFailure = new java.util.concurrent.atomic.AtomicReference<>();
        try (RunsFile runs = RunsFile.open(runsPath)) {
            Thread hook = new Thread(() -> {
                writeFailure.compareAndSet(null, "interrupted");
                int appended = runs.shut(); // waits for a record being written, refuses later ones
                PrintStream ps = opt.progress() != null ? opt.progress() : System.err;
                ps.println((opt.tty() ? "\n" : "") + "interrupted: " + (skipped + appended) + " of " + mine.size()
                        + " runs recorded; continue with --resume");
                ps.flush();
            }, "morse-interrupt");
            Runtime.getRuntime().addShutdownHook(hook);
            ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
                Thread t = new Thread(r, "morse-worker");
                t.setDaemon(true);
                return t;
            });
            ThreadLocal<RunExecutor> local = new ThreadLocal<>();
            List<RunExecutor> all = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Future<?>> futures = new ArrayList<>();
            for (Job job : todo) {
                futures.add(pool.submit(() -> {
                    if (writeFailure.get() != null) {
                        return null; // the batch is stopping: start nothing new
                    }
                    RunExecutor ex = local.get();
                    if (ex == null) {
                        ex = executors.get();
                        local.set(ex);
                        all.add(ex);
                    }
                    long t0 = System.nanoTime();
                    RunResult res;
                    try {
                        res = ex.execute(job);
                    } catch (java.io.UncheckedIOException e) {
                        writeFailure.compareAndSet(null, "cannot write " + Outputs.cause(e));
                        return null;
                    } catch (RuntimeException | OutOfMemoryError e) {
                        ObjectNode f = RunsFile.JSON.createObjectNode();
                        f.put("status", RunResult.FAILED);
                        f.put("reason", e.getClass().getSimpleName() + ": " + e.getMessage());
                        res = new RunResult(f, new String[0], List.of());
                    }
                    ObjectNode rec = RunsFile.JSON.createObjectNode();
                    rec.put("run", job.run());
                    rec.put("method", job.method());
                    rec.put("seed", job.seed());
                    rec.setAll(res.fields());
                    if (!rec.has("seconds")) {
                        rec.put("seconds", (System.nanoTime() - t0) * 1e-9);
                    }
                    rec.put("spec_hash", spec.hash());
                    try {
                        if (res.traceHeader().length > 0) {
                            String rel = "traces/" + job.stem() + ".csv";
                            writeTrace(out.resolve(rel), res.traceHeader(), res.traceRows());
                            rec.put("trace", rel);
                        }
                        runs.append(rec);
                    } catch (IOException e) {
                        writeFailure.compareAndSet(null, "cannot write " + Outputs.cause(e));
                        return null;
                    }
                    recorded.incrementAndGet();
                    String status = rec.path("status").asText();
                    boolean crit = PointClass.fromKey(status) == PointClass.CRITICAL;
                    if (status.equals(RunResult.FAILED)) {
                        failed.incrementAndGet();
                    } else if (crit) {
                        critical.incrementAndGet();
                    }
                    progress.done(crit);
                    return null;
                }));
            }
            pool.shutdown();
            try {
                for (Future<?> f : futures) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                pool.shutdownNow();
                throw new IOException("interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                pool.shutdownNow();
                Throwable c = e.getCause();
                if (c instanceof IOException) {
                    throw (IOException) c;
                }
                if (c instanceof RuntimeException) {
                    throw (RuntimeException) c;
                }
                throw new IOException(c);
            } finally {
                for (RunExecutor ex : all) {
                    ex.close();
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // the JVM is shutting down: the hook runs
                }
            }
        }
        progress.finish();
        String wf = writeFailure.get();
        if (wf != null) {
            throw new Outputs.Failure(wf + "; " + (skipped + recorded.get()) + " of " + mine.size()
                    + " runs recorded (runs.jsonl is whole); fix that, then continue with --resume", null);
        }
        return new Outcome(mine.size(), todo.size(), skipped, failed.get(), critical.get());
    }

    static void writeTrace(Path file, String[] header, List<double[]> rows) throws IOException {
        StringBuilder sb = new StringBuilder(String.join(",", header)).append('\n');
        for (double[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                double v = row[i];
                sb.append(v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v));
            }
            sb.append('\n');
        }
        RunsFile.writeAtomically(file, sb.toString());
    }

    /** Runs done, successes so far and ETA: a bar on a terminal, plain lines otherwise. */
    static final class Progress {
        private final PrintStream out;
        private final boolean tty;
        private final int total;
        private final int skipped;
        private final long start = System.nanoTime();
        private int done;
        private int ok;
        private long lastLine;

        Progress(PrintStream out, boolean tty, int total, int skipped) {
            this.out = out;
            this.tty = tty;
            this.total = total;
            this.skipped = skipped;
            if (out != null && skipped > 0) {
                out.println("resuming: " + skipped + " runs already recorded, " + total + " to go");
            }
        }

        synchronized void done(boolean success) {
            done++;
            if (success) {
                ok++;
            }
            if (out == null) {
                return;
            }
            double el = (System.nanoTime() - start) * 1e-9;
            double eta = done == 0 ? Double.NaN : el / done * (total - done);
            String line = String.format(Locale.ROOT, "%d/%d runs, %d critical so far, elapsed %s, ETA %s", done, total,
                    ok, Report.duration(el), done == total ? "0 s" : Report.duration(eta));
            if (tty) {
                int w = 30;
                int f = total == 0 ? w : w * done / total;
                out.print("\r[" + "#".repeat(f) + " ".repeat(w - f) + "] " + line + "   ");
                out.flush();
            } else {
                long now = System.nanoTime();
                if (done == total || now - lastLine > 5_000_000_000L || done % Math.max(1, total / 20) == 0) {
                    out.println(line);
                    lastLine = now;
                }
            }
        }

        void finish() {
            if (out != null && tty) {
                out.println();
            }
        }
    }
}
