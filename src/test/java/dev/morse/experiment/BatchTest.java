package dev.morse.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.morse.backend.cpu.CpuBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch machinery on a small real problem (Newton-MR on the quartic): the same spec gives
 * the same records; shards merged equal one batch; a batch killed with SIGKILL at an
 * arbitrary moment (mid-batch, at a point fixed by the test, not by timing) and resumed has
 * exactly the records of an uninterrupted one.
 */
class BatchTest {
    private static final String SPEC = "name: batch-test\nseed: 5\nworkers: 2\nproblem: {kind: quartic}\n"
            + "start: {kind: uniform, low: [-4.0, -3.0], high: [4.0, 3.0]}\n"
            + "methods:\n  - {kind: newton-mr, runs: RUNS, iterations: 60, rtol: 1.0e-10, hessian: dense}\n";

    private static Spec spec(int runs) throws IOException {
        return Spec.parse(new ObjectMapper(new YAMLFactory()).readTree(SPEC.replace("RUNS", "" + runs)), false);
    }

    private static Runner.Outcome run(Spec s, Path out, boolean resume, int i, int n) throws IOException {
        return Batch.run(s, new Batch.Options(out, resume, i, n, null, 2, null, false), CpuBackend::new);
    }

    /** Records keyed by (method, run), without the wall-clock fields (and the measured route's costs). */
    static TreeMap<String, String> records(Path dir) throws IOException {
        TreeMap<String, String> m = new TreeMap<>();
        for (ObjectNode r : RunsFile.read(dir.resolve("runs.jsonl"))) {
            r.remove("seconds");
            r.remove("index_seconds");
            r.remove("hessian_costs");
            String key = r.path("method").asText() + "#" + String.format("%05d", r.path("run").asInt());
            assertTrue(m.put(key, r.toString()) == null, "duplicate record " + key);
        }
        return m;
    }

    @Test
    void sameSpecSameRecordsAndShardsMergeToTheWhole(@TempDir Path tmp) throws IOException {
        Spec s = spec(12);
        Runner.Outcome a = run(s, tmp.resolve("a"), false, 1, 1);
        assertEquals(12, a.ran());
        for (ObjectNode r : RunsFile.read(tmp.resolve("a").resolve("runs.jsonl"))) {
            assertEquals("dense", r.path("hessian_route").asText(), "the record names the Hessian route");
            assertEquals("forced", r.path("hessian_route_basis").asText());
        }
        run(s, tmp.resolve("b"), false, 1, 1);
        assertEquals(records(tmp.resolve("a")), records(tmp.resolve("b")), "same spec and seed, same records");
        run(s, tmp.resolve("s1"), false, 1, 3);
        run(s, tmp.resolve("s2"), false, 2, 3);
        run(s, tmp.resolve("s3"), false, 3, 3);
        assertEquals(4, records(tmp.resolve("s2")).size(), "shard 2/3 runs every third job");
        int merged = Merge.merge(tmp.resolve("m"), List.of(tmp.resolve("s1"), tmp.resolve("s2"), tmp.resolve("s3"))).runs();
        assertEquals(12, merged);
        assertEquals(records(tmp.resolve("a")), records(tmp.resolve("m")), "merged shards = one batch");
        assertTrue(Files.exists(tmp.resolve("m/summary.md")));
        // a finished batch resumed runs nothing more
        Runner.Outcome again = run(s, tmp.resolve("a"), true, 1, 1);
        assertEquals(0, again.ran());
        assertEquals(12, again.skipped());
    }

    @Test
    void killedAndResumedBatchHasExactlyTheRecordsOfAnUninterruptedOne(@TempDir Path tmp) throws Exception {
        int runs = 60;
        int k = 23;
        Path specFile = tmp.resolve("spec.yaml");
        Files.writeString(specFile, SPEC.replace("RUNS", "" + runs));
        Path killed = tmp.resolve("killed");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Dorg.bytedeco.javacpp.maxBytes=0",
                "-Dmorse.test.blockAfter=" + k, "-cp", System.getProperty("java.class.path"),
                BlockAfterRecords.class.getName(), "run", specFile.toString(), "--out", killed.toString(),
                "--backend", "cpu"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        // the child blocks before writing record k + 1 and says so: no timing window (the timeout
        // only keeps a broken child from hanging the build)
        boolean blocked = false;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            CompletableFuture<Boolean> seen = CompletableFuture.supplyAsync(() -> out.lines()
                    .anyMatch(BlockAfterRecords.MARKER::equals));
            blocked = seen.get(10, TimeUnit.MINUTES);
        } finally {
            p.destroyForcibly(); // SIGKILL, mid-batch
            p.waitFor();
        }
        assertTrue(blocked, "the child reached record " + (k + 1));
        Path runsFile = killed.resolve("runs.jsonl");
        assertEquals(k, RunsFile.readForResume(runsFile).size(), "killed with exactly " + k + " records written");
        run(spec(runs), killed, true, 1, 1);
        Path whole = tmp.resolve("whole");
        run(spec(runs), whole, false, 1, 1);
        assertEquals(records(whole), records(killed), "resumed = uninterrupted");
    }
}
