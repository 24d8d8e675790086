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
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both sets of definitions in every record: the thesis text's (status_text: ‖g‖² < 1e-10, r
 * with ‖H‖_F and r_H; index at −1e-5) and the figures' (status_figures: ‖g‖² < 1e-8, final
 * relres > 0.9; max relres over flag-2 steps; index_1e3), recomputed here from the traces and
 * spectra the same batch wrote.
 */
class FigureDefinitionsTest {
    /** The quartic (N = 2): end points critical, near-flat and neither within 40 iterations. */
    private static final String SPEC = "name: figures-test\nseed: 3\nworkers: 1\n"
            + "problem: {kind: quartic}\n"
            + "start: {kind: uniform, low: [-4.0, -3.0], high: [4.0, 3.0]}\n"
            + "methods:\n  - {kind: newton-mr, runs: 16, iterations: 40, rtol: 1.0e-4, exit: reference, hessian: dense}\n"
            + "record: {status: STATUS}\n";

    private static Path run(Path out, String status) throws IOException {
        Spec s = Spec.parse(new ObjectMapper(new YAMLFactory()).readTree(SPEC.replace("STATUS", status)), false);
        Batch.run(s, new Batch.Options(out, false, 1, 1, null, 1, null, false), CpuBackend::new);
        return out;
    }

    private static List<double[]> trace(Path dir, ObjectNode r, List<String> head) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve(r.path("trace").asText()));
        head.addAll(Arrays.asList(lines.get(0).split(",")));
        List<double[]> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            rows.add(Arrays.stream(l.split(",")).mapToDouble(v -> v.isEmpty() ? Double.NaN : Double.parseDouble(v))
                    .toArray());
        }
        return rows;
    }

    @Test
    void recordsCarryBothDefinitionsAndStatusFollowsTheSpecKey(@TempDir Path tmp) throws IOException {
        Path dir = run(tmp.resolve("fig"), "figures");
        List<ObjectNode> recs = RunsFile.read(dir.resolve("runs.jsonl"));
        assertEquals(16, recs.size());
        int differ = 0;
        for (ObjectNode r : recs) {
            String where = r.toString();
            assertEquals(r.path("status_figures").asText(), r.path("status").asText(), where);
            double g2 = r.path("grad_norm_sq").asDouble();
            double finalRelres = r.path("final_relres").asDouble(Double.NaN);
            String fig = g2 < 1e-8 ? "critical" : finalRelres > 0.9 ? "gradient-flat" : "other";
            assertEquals(fig, r.path("status_figures").asText(), where);
            String text = g2 < 1e-10 ? "critical"
                    : r.path("final_r").asDouble(Double.NaN) > 0.9 && r.path("final_r_H").asDouble(Double.NaN) < 5e-4
                    ? "gradient-flat" : "other";
            assertEquals(text, r.path("status_text").asText(), where);
            if (!fig.equals(text)) {
                differ++;
            }
            // the figures' r from the trace: the last solve's relres, and the max over flag-2 rows
            List<String> head = new ArrayList<>();
            List<double[]> rows = trace(dir, r, head);
            int fi = head.indexOf("flag");
            int ri = head.indexOf("relres");
            int rr = head.indexOf("r");
            double last = Double.NaN;
            double max = Double.NaN;
            for (double[] row : rows) {
                if (!Double.isNaN(row[fi])) {
                    last = row[ri];
                    // Anorm ≤ ‖H‖₂ ≤ ‖H‖_F: relres is never below the text's r
                    assertTrue(row[ri] >= row[rr] * (1 - 1e-12), "relres " + row[ri] + " < r " + row[rr]);
                }
                if (row[fi] == 2 && (Double.isNaN(max) || row[ri] > max)) {
                    max = row[ri];
                }
            }
            assertEquals(last, finalRelres, 0.0, where);
            assertEquals(max, r.path("max_relres").asDouble(Double.NaN), 0.0, where);
            // index at −1e-3 from the recorded spectrum, never above the index at −1e-5
            List<String> eig = Files.readAllLines(dir.resolve(r.path("spectrum").asText()));
            double[] lam = eig.subList(1, eig.size()).stream().mapToDouble(Double::parseDouble).toArray();
            double idx3 = Arrays.stream(lam).filter(l -> l < -1e-3).count() / (double) lam.length;
            assertEquals(idx3, r.path("index_1e3").asDouble(), 0.0, where);
            assertTrue(idx3 <= r.path("index").asDouble(), where);
        }
        assertTrue(differ > 0, "the two definitions should disagree on some end point of this batch");
        String md = Files.readString(dir.resolve("summary.md"));
        assertTrue(md.contains("## As the figures computed it"), md);
    }

    @Test
    void statusDefaultsToTheText(@TempDir Path tmp) throws IOException {
        Path dir = run(tmp.resolve("text"), "text");
        for (ObjectNode r : RunsFile.read(dir.resolve("runs.jsonl"))) {
            assertEquals(r.path("status_text").asText(), r.path("status").asText());
        }
    }
}
