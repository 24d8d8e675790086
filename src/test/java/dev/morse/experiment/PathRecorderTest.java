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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A two-parameter problem's trace rows carry θ_t (theta0, theta1) for every method, critical-point
 * methods and optimizers alike: each row's θ, put into the quartic written out here, gives that
 * row's loss.
 */
class PathRecorderTest {
    private static final String SPEC = "name: path\nseed: 5\nworkers: 1\nproblem: {kind: quartic}\n"
            + "start: {kind: uniform, low: [-4, -3], high: [4, 3]}\n"
            + "methods:\n  - {kind: newton-mr, runs: 3, iterations: 30}\n"
            + "  - {kind: damped-newton, runs: 1, iterations: 10}\n"
            + "  - {kind: gnm, runs: 1, iterations: 40}\n"
            + "  - {kind: bfgs, runs: 2, iterations: 30}\n"
            + "  - {kind: momentum, runs: 1, iterations: 20, lr: 0.01}\n"
            + "record: {spectrum: false}\n";

    /** Thesis Eq 3.35, independently of the traced program. */
    private static double quartic(double x, double y) {
        return x * x * x * x / 4 - 3 * x * x + 9 * x + 0.9 * y * y * y * y + 5 * y * y + 40;
    }

    @Test
    void everyTraceRowCarriesTheThetaOfItsLoss(@TempDir Path tmp) throws IOException {
        Spec spec = Spec.parse(new ObjectMapper(new YAMLFactory()).readTree(SPEC), false);
        Batch.run(spec, new Batch.Options(tmp, false, 1, 1, null, 1, null, false), CpuBackend::new);
        List<ObjectNode> runs = RunsFile.read(tmp.resolve("runs.jsonl"));
        assertEquals(8, runs.size());
        for (ObjectNode r : runs) {
            String what = r.path("method").asText() + " run " + r.path("run").asInt();
            List<String> trace = Files.readAllLines(tmp.resolve(r.path("trace").asText()));
            List<String> head = List.of(trace.get(0).split(","));
            int x = head.indexOf("theta0");
            int y = head.indexOf("theta1");
            int l = head.indexOf("loss");
            assertTrue(x > 0 && y > 0, what + ": no θ columns in " + head);
            assertTrue(trace.size() > 2, what + ": a run of at least two iterates");
            for (int i = 1; i < trace.size(); i++) {
                String[] row = trace.get(i).split(",");
                double f = quartic(Double.parseDouble(row[x]), Double.parseDouble(row[y]));
                assertEquals(Double.parseDouble(row[l]), f, 1e-12 * (1 + Math.abs(f)), what + ", row " + i);
            }
        }
    }
}
