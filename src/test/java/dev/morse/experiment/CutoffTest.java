package dev.morse.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
 * record.cutoffs (thesis Fig 3.3): each run's entry for ε is its first iterate with ‖g‖² < ε,
 * checked against the run's own trace; ∞ is the start point; the report tabulates and plots them.
 */
class CutoffTest {
    private static final String SPEC = "name: cutoff-test\nseed: 3\nworkers: 1\n"
            + "problem: {kind: deep-linear-autoencoder, hidden: 2, data: {source: gaussian, n: 400, features: 6, seed: 1}}\n"
            + "start: {kind: optimizer, optimizer: gd, lr: 0.1, steps: 100, trajectories: 2, select: loss,"
            + " noise_variance: 0.01, noise_fraction: 0.5}\n"
            + "methods:\n  - {kind: newton-mr, runs: 6, iterations: 200, rtol: 1.0e-10}\n"
            + "  - {kind: damped-newton, runs: 2, iterations: 30, rtol: 1.0e-10}\n"
            + "  - {kind: bfgs, runs: 2, iterations: 50}\n"
            + "record: {cutoffs: [1.0e-4, inf, 1.0e-10, 1.0e-6]}\n";

    private static Spec spec(String text) throws IOException {
        return Spec.parse(new ObjectMapper(new YAMLFactory()).readTree(text), false);
    }

    @Test
    void firstIterateBelowEachCutoffMatchesTheTrace(@TempDir Path tmp) throws IOException {
        Batch.run(spec(SPEC), new Batch.Options(tmp, false, 1, 1, null, 1, null, false), CpuBackend::new);
        List<ObjectNode> runs = RunsFile.read(tmp.resolve("runs.jsonl"));
        assertEquals(10, runs.size());
        int reached = 0;
        for (ObjectNode r : runs) {
            JsonNode cs = r.path("cutoffs"); // optimizers show their iterates too (bfgs here)
            assertEquals(4, cs.size(), r.path("method").asText());
            // largest first; inf is the start point
            assertEquals("inf", cs.get(0).path("cutoff").asText());
            assertEquals(1e-4, cs.get(1).path("cutoff").asDouble());
            assertEquals(1e-10, cs.get(3).path("cutoff").asDouble());
            List<String> trace = Files.readAllLines(tmp.resolve(r.path("trace").asText()));
            List<String> head = List.of(trace.get(0).split(","));
            int gi = head.indexOf("grad_norm_sq");
            int li = head.indexOf("loss");
            for (JsonNode c : cs) {
                double eps = c.path("cutoff").isNumber() ? c.path("cutoff").asDouble() : Double.POSITIVE_INFINITY;
                int first = -1;
                for (int t = 1; t < trace.size(); t++) {
                    if (Double.parseDouble(trace.get(t).split(",")[gi]) < eps) {
                        first = t - 1;
                        break;
                    }
                }
                if (first < 0) {
                    assertTrue(c.path("iteration").isNull(), "never below " + eps + " but recorded: " + c);
                    continue;
                }
                reached++;
                assertEquals(first, c.path("iteration").asInt(), "first iterate below " + eps);
                String[] row = trace.get(first + 1).split(",");
                assertEquals(Double.parseDouble(row[li]), c.path("loss").asDouble(), 0.0);
                assertEquals(Double.parseDouble(row[gi]), c.path("grad_norm_sq").asDouble(), 0.0);
                assertTrue(c.path("index").isNumber());
                assertTrue(c.has("analytic_match"));
                if (c.path("cutoff").isNumber() && c.path("cutoff").asDouble() == 1e-10
                        && r.path("status").asText().equals("critical")) {
                    // below 1e-10 the loss is that of the end point to ~1e-8 and the index the same
                    assertEquals(r.path("index").asDouble(), c.path("index").asDouble(), 0.0);
                }
            }
            assertEquals(0, cs.get(0).path("iteration").asInt(), "∞: the start point");
            if (!r.path("start").path("noised").asBoolean()) { // start.loss is the trajectory's, before noise
                assertEquals(r.path("start").path("loss").asDouble(), cs.get(0).path("loss").asDouble(), 1e-12);
            }
        }
        assertTrue(reached > 20, "the cutoffs were reached " + reached + " times");
        String summary = Files.readString(tmp.resolve("summary.md"));
        assertTrue(summary.contains("## Cutoffs (thesis Fig 3.3)"), summary);
        assertTrue(summary.contains("| newton-mr | 1e-10 |"), summary);
        assertTrue(summary.contains("| newton-mr | ∞ (start) |"), summary);
        assertTrue(summary.contains("| bfgs | ∞ (start) |"), summary);
        assertTrue(Files.size(tmp.resolve("plots/loss-index-cutoffs-newton-mr.png")) > 0);
    }

    @Test
    void badCutoffsAreRejectedWithTheirPath() {
        SpecException e = assertThrows(SpecException.class,
                () -> spec(SPEC.replace("[1.0e-4, inf, 1.0e-10, 1.0e-6]", "[1.0e-4, -1]")));
        assertTrue(e.getMessage().contains("record.cutoffs[1]"), e.getMessage());
        e = assertThrows(SpecException.class, () -> spec(SPEC.replace("[1.0e-4, inf, 1.0e-10, 1.0e-6]", "[1.0e-4, 1.0e-4]")));
        assertTrue(e.getMessage().contains("record.cutoffs"), e.getMessage());
        e = assertThrows(SpecException.class, () -> spec(SPEC.replace("[1.0e-4, inf, 1.0e-10, 1.0e-6]", "[abc]")));
        assertTrue(e.getMessage().contains("record.cutoffs[0]"), e.getMessage());
    }
}
