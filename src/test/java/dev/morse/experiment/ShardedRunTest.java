package dev.morse.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.morse.backend.cpu.CpuBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that has the cores to itself (one worker, two BLAS threads) splits an MLP's loss by
 * rows and says so in its record; with one BLAS thread (a batch of one worker per core) it
 * does not. The split loss is the same loss: at the start point loss and gradient agree to
 * rounding.
 */
class ShardedRunTest {
    private static final String SPEC = "name: sharded\nseed: 4\n"
            + "problem: {kind: mlp, widths: [6, 5, 6], loss: mse, data: {source: gaussian, n: 600, features: 6, seed: 2}}\n"
            + "methods:\n  - {kind: newton-mr, runs: 2, iterations: 4}\n";

    private static List<ObjectNode> run(Path out, int blasThreads) throws IOException {
        return run(out, blasThreads, SPEC);
    }

    private static List<ObjectNode> run(Path out, int blasThreads, String text) throws IOException {
        int threads = CpuBackend.threads();
        try {
            CpuBackend.setThreads(blasThreads);
            Spec spec = Spec.parse(new ObjectMapper(new YAMLFactory()).readTree(text), false);
            Batch.run(spec, new Batch.Options(out, false, 1, 1, null, 1, null, false), CpuBackend::new);
            return RunsFile.read(out.resolve("runs.jsonl"));
        } finally {
            CpuBackend.setThreads(threads);
        }
    }

    @Test
    void oneWorkerWithTheCoresSplitsTheLoss(@TempDir Path tmp) throws IOException {
        List<ObjectNode> split = run(tmp.resolve("split"), 2);
        List<ObjectNode> whole = run(tmp.resolve("whole"), 1);
        assertEquals(2, split.size());
        for (int i = 0; i < 2; i++) {
            ObjectNode s = split.get(i);
            ObjectNode w = whole.get(i);
            assertEquals(2, s.path("shards").asInt(), "600 examples on two lanes");
            assertEquals(1, w.path("shards").asInt(), "one BLAS thread: no lanes at once");
            // the first iterate is the start point, evaluated by each objective: the same to rounding
            String[] s0 = Files.readAllLines(tmp.resolve("split").resolve(s.path("trace").asText())).get(1).split(",");
            String[] w0 = Files.readAllLines(tmp.resolve("whole").resolve(w.path("trace").asText())).get(1).split(",");
            for (int col : new int[] {1, 2}) { // loss, ‖g‖²
                double want = Double.parseDouble(w0[col]);
                assertEquals(want, Double.parseDouble(s0[col]), 1e-12 * Math.abs(want), "start, column " + col);
            }
            // later iterates drift apart (Newton-MR follows ‖g‖², and the first solves run
            // MINRES-QLP to its cap of N = 71 iterations, which turns last-bit differences into
            // different steps), so only the start is compared
            assertEquals(5, Files.readAllLines(tmp.resolve("split").resolve(s.path("trace").asText())).size() - 1);
        }
    }

    @Test
    void theSpecFixesTheShards(@TempDir Path tmp) throws IOException {
        for (ObjectNode r : run(tmp.resolve("one"), 2, SPEC.replace("loss: mse,", "loss: mse, shards: 1,"))) {
            assertEquals(1, r.path("shards").asInt(), "shards: 1 with the cores free");
        }
        for (ObjectNode r : run(tmp.resolve("three"), 1, SPEC.replace("loss: mse,", "loss: mse, shards: 3,"))) {
            assertEquals(3, r.path("shards").asInt(), "shards: 3 on one BLAS thread: run in turn");
        }
        for (String bad : new String[] {"shards: 0,", "shards: many,", "shards: 601,"}) {
            String text = SPEC.replace("loss: mse,", "loss: mse, " + bad);
            assertThrows(SpecException.class, () -> run(tmp.resolve("bad"), 1, text), bad);
        }
    }
}
