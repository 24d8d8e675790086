package dev.morse.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.morse.backend.cpu.CpuBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch machinery on a small real problem (Newton-MR on the quartic): the same spec gives
 * the same records; shards merged equal one batch; a batch killed with SIGKILL at an
 * arbitrary moment and resumed has exactly the records of an uninterrupted one.
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

    /** Records keyed by (method, run), without the wall-clock fields. */
    static TreeMap<String, String> records(Path dir) throws IOException {
        TreeMap<String, String> m = new TreeMap<>();
        for (ObjectNode r : RunsFile.read(dir.resolve("runs.jsonl"))) {
            r.remove("seconds");
            r.remove("index_seconds");
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
        int runs = 600;
        Path specFile = tmp.resolve("spec.yaml");
        Files.writeString(specFile, SPEC.replace("RUNS", "" + runs));
        Path killed = tmp.resolve("killed");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Dorg.bytedeco.javacpp.maxBytes=0", "-cp",
                System.getProperty("java.class.path"), "dev.morse.cli.Main", "run", specFile.toString(), "--out",
                killed.toString(), "--backend", "cpu"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        Path runsFile = killed.resolve("runs.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (Files.exists(runsFile) && Files.size(runsFile) > 20_000) {
                break;
            }
            Thread.sleep(20);
        }
        p.destroyForcibly(); // SIGKILL, mid-batch
        p.waitFor();
        int before = RunsFile.readForResume(runsFile).size();
        assertTrue(before > 0 && before < runs, "killed mid-batch: " + before + " of " + runs + " recorded");
        run(spec(runs), killed, true, 1, 1);
        Path whole = tmp.resolve("whole");
        run(spec(runs), whole, false, 1, 1);
        assertEquals(records(whole), records(killed), "resumed = uninterrupted");
    }
}
