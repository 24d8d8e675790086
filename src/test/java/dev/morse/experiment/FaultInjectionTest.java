package dev.morse.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.morse.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Everything around the records that could lose or corrupt results (issue 9), each fault made
 * on purpose: a second writer, numbers no plot can draw, refused reruns, incomplete merges,
 * unwritable outputs and a full disk, non-finite points, signals, damaged runs.jsonl lines.
 * Small quartic batches keep it to seconds.
 */
class FaultInjectionTest {
    private static final String QUARTIC = "name: fault\nseed: 7\nworkers: 1\nproblem: {kind: quartic}\n"
            + "start: {kind: uniform, low: [-4.0, -3.0], high: [4.0, 3.0]}\n"
            + "methods:\n  - {kind: newton-mr, runs: RUNS, iterations: 40, rtol: 1.0e-10, hessian: dense}\n"
            + "record: {theta: true}\n";
    private static final String DLAE = "name: fault-dlae\nseed: 3\nworkers: 1\n"
            + "problem: {kind: deep-linear-autoencoder, hidden: HIDDEN, data: {source: gaussian, n: 200, features: 4, seed: 1}}\n"
            + "start: {kind: init}\n"
            + "methods:\n  - {kind: newton-mr, runs: 2, iterations: 30, rtol: 1.0e-10}\n";

    private record Cli(int code, String out, String err) {
    }

    private static Cli cli(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    private static void oneLine(Cli r) {
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace: " + r.err());
    }

    private static Path spec(Path dir, String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private static Path quartic(Path dir, int runs) throws IOException {
        return spec(dir, "quartic-" + runs + ".yaml", QUARTIC.replace("RUNS", "" + runs));
    }

    /** Every file under dir with its bytes and modification time. */
    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        if (!Files.exists(dir)) {
            return m;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                String key = dir.relativize(p).toString();
                if (Files.isDirectory(p)) {
                    m.put(key + "/", "dir");
                } else {
                    FileTime t = Files.getLastModifiedTime(p);
                    m.put(key, t.toMillis() + ":" + java.util.HexFormat.of().formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
                }
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    private static List<ObjectNode> records(Path dir) throws IOException {
        return RunsFile.read(dir.resolve("runs.jsonl"), null);
    }

    @AfterEach
    void noFaults() {
        Outputs.faults = Outputs.Faults.NONE;
    }

    // --- 1. one writer per results folder ---------------------------------------------------

    /** Holds the lock on a directory in its own JVM until killed (for the lock test). */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            Files.createDirectories(dir);
            try (ResultsLock l = ResultsLock.acquire(dir, "lock-holder")) {
                System.out.println("locked");
                System.out.flush();
                Thread.sleep(600_000);
            }
        }
    }

    private static Process java(Path log, String main, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Dorg.bytedeco.javacpp.maxBytes=0", "-cp",
                System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void waitFor(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void aSecondWriterIsRefusedNamingTheHolderAndKill9LeavesNoStaleLock(@TempDir Path tmp) throws Exception {
        Path spec = quartic(tmp, 4);
        Path out = tmp.resolve("out");
        assertEquals(0, cli("run", spec.toString(), "--out", out.toString(), "--backend", "cpu").code());
        Path log = tmp.resolve("holder.log");
        Process holder = java(log, Holder.class.getName(), out.toString());
        try {
            waitFor("the holder to lock", () -> read(log).contains("locked"));
            Map<String, String> before = snapshot(out);
            for (String[] args : new String[][] {{"run", spec.toString(), "--out", out.toString(), "--resume",
                    "--backend", "cpu"}, {"report", out.toString()}, {"repair", out.toString()},
                    {"merge", "--out", tmp.resolve("m").toString(), out.toString()}}) {
                Cli r = cli(args);
                assertEquals(2, r.code(), args[0] + ": " + r.err());
                oneLine(r);
                assertTrue(r.err().contains("in use by another morse (lock-holder pid " + holder.pid() + " on "
                        + ResultsLock.host() + " since "), r.err());
                assertTrue(r.err().contains("wait for it to finish or stop it"), r.err());
            }
            assertEquals(before, snapshot(out), "a refused writer touches nothing");
        } finally {
            holder.destroyForcibly(); // SIGKILL: the kernel releases the lock
            holder.waitFor();
        }
        Cli again = cli("run", spec.toString(), "--out", out.toString(), "--resume", "--backend", "cpu");
        assertEquals(0, again.code(), "no stale lock after kill -9: " + again.err());
        assertEquals(4, records(out).size());
    }

    // --- 2. reports that cannot crash on data -----------------------------------------------

    @Test
    void nanAndInfInTracesAreLeftOutWithANoteAndStaleTemporariesRemoved(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        assertEquals(0, cli("run", quartic(tmp, 4).toString(), "--out", out.toString(), "--backend", "cpu").code());
        Path trace = out.resolve(records(out).get(0).path("trace").asText());
        List<String> lines = new ArrayList<>(Files.readAllLines(trace));
        List<String> head = List.of(lines.get(0).split(","));
        int bad = 0;
        for (int i = 1; i < lines.size() && i <= 3; i++) {
            String[] f = lines.get(i).split(",");
            f[head.indexOf("grad_norm_sq")] = i == 1 ? "Infinity" : "NaN";
            f[head.indexOf("theta0")] = "-Infinity";
            f[head.indexOf("r")] = "Infinity";
            lines.set(i, String.join(",", f));
            bad++;
        }
        Files.write(trace, lines);
        Path stale = out.resolve("plots/tmp-grad-norm-newton-mr.png");
        Files.write(stale, new byte[0]); // a report killed mid-plot
        Cli r = cli("report", out.toString());
        assertEquals(0, r.code(), r.err());
        String summary = Files.readString(out.resolve("summary.md"));
        assertTrue(summary.contains("## Notes on the plots"), summary);
        // row 1: ‖g‖² = +Inf; rows 2, 3: NaN; θ₀ = −Inf in all three
        assertTrue(summary.contains("grad-norm-newton-mr.png: 1 point at ±Inf left out; " + (bad - 1)
                + " points without a value (NaN) left out"), summary);
        assertTrue(summary.contains("quartic-trajectories.png: " + bad + " points at ±Inf left out"), summary);
        assertFalse(Files.exists(stale), "stale temporary removed");
        try (Stream<Path> s = Files.list(out.resolve("plots"))) {
            for (Path p : s.toList()) {
                assertFalse(p.getFileName().toString().startsWith("tmp-"), "no temporary left: " + p);
                assertTrue(Files.size(p) > 1000, "a whole PNG: " + p);
            }
        }
        assertEquals("nan", Cells.num("%.6f", Double.NaN));
        assertEquals("inf", Cells.num("%.6f", Double.POSITIVE_INFINITY));
        assertEquals("-inf", Cells.num("%.6f", Double.NEGATIVE_INFINITY));
    }

    @Test
    void aFailingReportIsOneLineExitOneAndTheSuiteGoesOn(@TempDir Path tmp) throws Exception {
        quartic(tmp, 3);
        Files.writeString(tmp.resolve("second.yaml"), QUARTIC.replace("RUNS", "2").replace("name: fault",
                "name: second"));
        Path suite = spec(tmp, "suite.yaml", "name: s\nsuite:\n  - {spec: quartic-3.yaml}\n  - {spec: second.yaml}\n");
        Path out = tmp.resolve("out");
        Outputs.faults = p -> {
            if (p.toString().contains("/fault/plots/")) {
                throw new FileSystemException(p.toString(), null, "Input/output error");
            }
        };
        Cli r = cli("run", suite.toString(), "--out", out.toString(), "--backend", "cpu");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("1 report failed"), r.err());
        assertEquals(3, records(out.resolve("fault")).size(), "records of the failed report untouched");
        assertEquals(2, records(out.resolve("second")).size(), "the next spec of the suite ran");
        assertTrue(Files.exists(out.resolve("second/summary.md")));
        assertTrue(Files.readString(out.resolve("fault/summary.md")).contains("plot traces failed"));
        Outputs.faults = Outputs.Faults.NONE;
        Cli again = cli("report", out.resolve("fault").toString());
        assertEquals(0, again.code(), again.err());
    }

    // --- 3. refuse before touching -----------------------------------------------------------

    @Test
    void refusalsLeaveTheFolderByteIdentical(@TempDir Path tmp) throws Exception {
        Path a = spec(tmp, "a.yaml", DLAE.replace("HIDDEN", "1"));
        Path b = spec(tmp, "b.yaml", DLAE.replace("HIDDEN", "2"));
        Path out = tmp.resolve("out");
        assertEquals(0, cli("run", a.toString(), "--out", out.toString(), "--backend", "cpu").code());
        assertTrue(Files.exists(out.resolve("analytic.csv")));
        Map<String, String> before = snapshot(out);
        Thread.sleep(20); // a rewrite would show in the modification times
        String[][] refused = {
            {"run", a.toString(), "--out", out.toString(), "--backend", "cpu"}, // no --resume
            {"run", b.toString(), "--out", out.toString(), "--backend", "cpu"}, // another spec, no --resume
            {"run", b.toString(), "--out", out.toString(), "--backend", "cpu", "--resume"}, // another spec
            {"run", a.toString(), "--out", out.toString(), "--backend", "cpu", "--resume", "--shard", "1/2"},
        };
        for (String[] args : refused) {
            Cli r = cli(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            oneLine(r);
            assertEquals(before, snapshot(out), "refused and untouched: " + String.join(" ", args));
        }
        // unwritable --out: a file, and a path under a file
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        for (Path bad : new Path[] {file, file.resolve("sub")}) {
            Cli r = cli("run", a.toString(), "--out", bad.toString(), "--backend", "cpu");
            assertEquals(2, r.code(), r.err());
            oneLine(r);
            assertTrue(r.err().contains("a-file is a file"), r.err());
        }
        assertEquals("x", Files.readString(file));
    }

    // --- 4. merge complete and checked ------------------------------------------------------

    @Test
    void mergeCarriesEveryArtifactAndChecksShardsCountsAndDuplicates(@TempDir Path tmp) throws Exception {
        Path spec = quartic(tmp, 6);
        Path s1 = tmp.resolve("s1");
        Path s2 = tmp.resolve("s2");
        Path whole = tmp.resolve("whole");
        assertEquals(0, cli("run", spec.toString(), "--out", s1.toString(), "--shard", "1/2", "--backend", "cpu").code());
        assertEquals(0, cli("run", spec.toString(), "--out", s2.toString(), "--shard", "2/2", "--backend", "cpu").code());
        assertEquals(0, cli("run", spec.toString(), "--out", whole.toString(), "--backend", "cpu").code());

        Cli one = cli("merge", "--out", tmp.resolve("m1").toString(), s1.toString());
        assertEquals(2, one.code(), one.err());
        oneLine(one);
        assertTrue(one.err().contains("shard [2] of 2 missing"), one.err());
        assertFalse(Files.exists(tmp.resolve("m1")), "nothing written");
        Cli partial = cli("merge", "--partial", "--out", tmp.resolve("m1").toString(), s1.toString());
        assertEquals(0, partial.code(), partial.err());
        assertTrue(partial.out().contains("merged 3 of 6 runs") && partial.out().contains("partial: shard [2] missing"),
                partial.out());

        Path m = tmp.resolve("m");
        Cli ok = cli("merge", "--out", m.toString(), s1.toString(), s2.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("merged 6 of 6 runs from 2 directories (shards of 2")
                && ok.out().contains("6 spectra") && ok.out().contains("6 thetas") && ok.out().contains("6 traces"),
                ok.out());
        assertEquals(BatchTest.records(whole), BatchTest.records(m), "merged shards = one batch");
        for (ObjectNode r : records(m)) {
            for (String k : new String[] {"trace", "spectrum", "theta"}) {
                assertTrue(Files.isRegularFile(m.resolve(r.path(k).asText())), k + " of " + r);
            }
        }
        assertEquals(0, cli("merge", "--out", m.toString(), s1.toString(), s2.toString()).code(),
                "a previous merge of the same shards may be redone");

        Map<String, String> wholeBefore = snapshot(whole);
        Cli onto = cli("merge", "--out", whole.toString(), s1.toString(), s2.toString());
        assertEquals(2, onto.code(), onto.err());
        assertTrue(onto.err().contains("not empty and not a previous merge"), onto.err());
        assertEquals(wholeBefore, snapshot(whole), "an existing results folder is not replaced");

        // a shard that did not finish
        Path s2b = tmp.resolve("s2b");
        copyTree(s2, s2b);
        List<String> lines = Files.readAllLines(s2b.resolve("runs.jsonl"));
        Files.write(s2b.resolve("runs.jsonl"), lines.subList(0, 2));
        Cli unfinished = cli("merge", "--out", tmp.resolve("m2").toString(), s1.toString(), s2b.toString());
        assertEquals(2, unfinished.code(), unfinished.err());
        assertTrue(unfinished.err().contains("holds 2 of its 3 runs"), unfinished.err());
        // the same run with another result
        copyTree(s2, s2b);
        ObjectNode r0 = (ObjectNode) RunsFile.JSON.readTree(lines.get(0));
        r0.put("loss", r0.path("loss").asDouble() + 1);
        lines.set(0, r0.toString());
        Files.write(s2b.resolve("runs.jsonl"), lines);
        Cli conflict = cli("merge", "--out", tmp.resolve("m3").toString(), s1.toString(), s2.toString(), s2b.toString());
        assertEquals(2, conflict.code(), conflict.err());
        assertTrue(conflict.err().contains("differs between") && conflict.err().contains("loss"), conflict.err());
        // a record naming a missing file
        copyTree(s2, s2b);
        Files.delete(s2b.resolve(records(s2b).get(0).path("spectrum").asText()));
        Cli missing = cli("merge", "--out", tmp.resolve("m4").toString(), s1.toString(), s2b.toString());
        assertEquals(2, missing.code(), missing.err());
        assertTrue(missing.err().contains("which is missing"), missing.err());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (Files.exists(to)) {
            try (Stream<Path> s = Files.walk(to)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
    }

    // --- 5. output problems: one line, exit 2 before the run, exit 1 mid-run -------------------

    @Test
    void aFullDiskMidRunIsOneLineExitOneAndResumeCompletesTheRecords(@TempDir Path tmp) throws Exception {
        Path spec = quartic(tmp, 8);
        Path out = tmp.resolve("out");
        AtomicInteger appends = new AtomicInteger();
        Outputs.faults = p -> {
            if (p.getFileName().toString().equals("runs.jsonl") && appends.incrementAndGet() == 5) {
                throw new FileSystemException(p.toString(), null, "No space left on device");
            }
        };
        Cli r = cli("run", spec.toString(), "--out", out.toString(), "--backend", "cpu");
        assertEquals(1, r.code(), r.err());
        oneLine(r);
        assertTrue(r.err().contains("runs.jsonl: No space left on device") && r.err().contains("continue with --resume"),
                r.err());
        int kept = records(out).size();
        assertTrue(kept >= 3 && kept < 8, kept + " records, all whole");
        Outputs.faults = Outputs.Faults.NONE;
        assertEquals(0, cli("run", spec.toString(), "--out", out.toString(), "--backend", "cpu", "--resume").code());
        Path whole = tmp.resolve("whole");
        assertEquals(0, cli("run", spec.toString(), "--out", whole.toString(), "--backend", "cpu").code());
        assertEquals(BatchTest.records(whole), BatchTest.records(out), "the run that could not be written ran again");
    }

    @Test
    void aSpectrumThatCannotBeWrittenStopsTheBatchWithoutRecordingTheRun(@TempDir Path tmp) throws Exception {
        Path spec = quartic(tmp, 4);
        Path out = tmp.resolve("out");
        Outputs.faults = p -> {
            if (p.toString().contains("/spectra/")) {
                throw new java.nio.file.AccessDeniedException(p.toString());
            }
        };
        Cli r = cli("run", spec.toString(), "--out", out.toString(), "--backend", "cpu");
        assertEquals(1, r.code(), r.err());
        oneLine(r);
        assertTrue(r.err().contains("permission denied") && r.err().contains("0 of 4 runs recorded"), r.err());
        assertEquals(0, records(out).size());
    }

    // --- 6. non-finite inputs ----------------------------------------------------------------

    @Test
    void evalRefusesANonFiniteThetaAndGivesNoIndexWhereTheLossOverflows(@TempDir Path tmp) throws Exception {
        Path theta = tmp.resolve("theta.txt");
        Files.writeString(theta, "NaN 1e400\n");
        Cli r = cli("eval", "experiments/e4-quartic.yaml", theta.toString(), "--backend", "cpu");
        assertEquals(2, r.code(), r.out() + r.err());
        oneLine(r);
        assertTrue(r.err().contains("2 of 2 entries are not finite, at entries 1 (nan), 2 (inf)"), r.err());
        Files.writeString(theta, "1e100 0\n"); // x⁴/4 overflows
        Cli o = cli("eval", "experiments/e4-quartic.yaml", theta.toString(), "--backend", "cpu", "--json");
        assertEquals(1, o.code(), o.out() + o.err());
        var j = RunsFile.JSON.readTree(o.out());
        assertTrue(j.path("index").isNull(), o.out());
        assertEquals("failed", j.path("status").asText());
    }

    // --- 7. interrupts and runs.jsonl damage ------------------------------------------------

    @Test
    void sigtermAndSigintFlushAndSayHowManyRunsAreRecorded(@TempDir Path tmp) throws Exception {
        int runs = 20000; // never finishes before the signal
        Path spec = quartic(tmp, runs);
        Path out = tmp.resolve("out");
        Path runsFile = out.resolve("runs.jsonl");
        for (String signal : new String[] {"TERM", "INT"}) {
            Path log = tmp.resolve(signal + ".log");
            List<String> args = new ArrayList<>(List.of("run", spec.toString(), "--out", out.toString(), "--backend",
                    "cpu"));
            if (signal.equals("INT")) {
                args.add("--resume");
            }
            int start = Files.exists(runsFile) ? records(out).size() : 0;
            Process p = java(log, "dev.morse.cli.Main", args.toArray(new String[0]));
            waitFor("records", () -> read(runsFile).lines().count() >= start + 5);
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                org.junit.jupiter.api.Assumptions.assumeTrue(false, "SIG" + signal + " is ignored in this test's "
                        + "environment (a background job): not checked here");
            }
            assertEquals(signal.equals("TERM") ? 143 : 130, p.exitValue(), read(log));
            int recorded = records(out).size();
            assertTrue(read(log).contains("interrupted: " + recorded + " of " + runs
                    + " runs recorded; continue with --resume"), read(log));
            assertTrue(read(runsFile).endsWith("\n"), "no torn line");
        }
    }

    @Test
    void aTornLastLineIsDroppedWithAWarningAndABadLineNamesTheRepair(@TempDir Path tmp) throws Exception {
        Path spec = quartic(tmp, 6);
        Path out = tmp.resolve("out");
        Path whole = tmp.resolve("whole");
        assertEquals(0, cli("run", spec.toString(), "--out", whole.toString(), "--backend", "cpu").code());
        assertEquals(0, cli("run", spec.toString(), "--out", out.toString(), "--backend", "cpu").code());
        Path runsFile = out.resolve("runs.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(runsFile));
        // a kill mid-write: the last record torn
        String torn = lines.get(5).substring(0, 30);
        Files.writeString(runsFile, String.join("\n", lines.subList(0, 5)) + "\n" + torn);
        assertEquals(5, RunsFile.read(runsFile, null).size(), "torn last line dropped");
        assertEquals(0, cli("report", out.toString()).code(), "report reads past a torn last line");
        assertEquals(0, cli("run", spec.toString(), "--out", out.toString(), "--backend", "cpu", "--resume").code());
        assertEquals(BatchTest.records(whole), BatchTest.records(out), "the torn run ran again");
        assertTrue(Files.readString(out.resolve(RunsFile.BAD)).contains(torn), "nothing deleted silently");

        // damage in the middle, and a duplicate (two writers before the lock existed)
        lines = new ArrayList<>(Files.readAllLines(runsFile));
        lines.add(2, "{\"run\": 1, garbage");
        lines.add(lines.get(0));
        Files.write(runsFile, lines);
        Cli rep = cli("report", out.toString());
        assertEquals(2, rep.code(), rep.err());
        oneLine(rep);
        assertTrue(rep.err().contains("line 3 is not a run record") && rep.err().contains("morse repair "
                + out.toAbsolutePath()), rep.err());
        Cli res = cli("run", spec.toString(), "--out", out.toString(), "--backend", "cpu", "--resume");
        assertEquals(2, res.code(), res.err());
        assertTrue(res.err().contains("line 3 is not a run record"), res.err());
        Cli fix = cli("repair", out.toString());
        assertEquals(0, fix.code(), fix.err());
        assertTrue(fix.out().contains("kept 6 records; moved 2 lines"), fix.out());
        assertEquals(BatchTest.records(whole), BatchTest.records(out));
        String bad = Files.readString(out.resolve(RunsFile.BAD));
        assertTrue(bad.contains("{\"run\": 1, garbage") && bad.contains(lines.get(0)), bad);
        assertEquals(0, cli("report", out.toString()).code());
    }

    @Test
    void failureReasonsAreCountedPerMethodInTheSummary() {
        List<ObjectNode> runs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ObjectNode r = RunsFile.JSON.createObjectNode();
            r.put("method", i < 3 ? "newton-mr" : "gnm");
            r.put("run", i);
            r.put("status", i == 0 ? "critical" : "failed");
            if (i == 1 || i == 3) {
                r.put("stop", "non_finite");
            } else {
                r.put("reason", "IllegalStateException: boom");
            }
            runs.add(r);
        }
        String s = FailureCounts.section(runs);
        assertTrue(s.contains("| newton-mr | IllegalStateException | 1 |") && s.contains("| newton-mr | stop non_finite | 1 |")
                && s.contains("| gnm | stop non_finite | 1 |"), s);
        assertEquals("failed runs: newton-mr 2 (IllegalStateException 1, stop non_finite 1); gnm 1 (stop non_finite 1)",
                FailureCounts.line(runs));
    }
}
