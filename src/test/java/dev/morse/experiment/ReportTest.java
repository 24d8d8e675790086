package dev.morse.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The summary table's counts, read from hand-made records. */
class ReportTest {
    private static ObjectNode rec(int run, String status, double finalR, double maxR) {
        ObjectNode r = RunsFile.JSON.createObjectNode();
        r.put("run", run);
        r.put("method", "newton-mr");
        r.put("status", status);
        r.put("seconds", 1.0);
        r.put("final_r", finalR);
        r.put("max_r", maxR);
        return r;
    }

    private static List<ObjectNode> records() {
        List<ObjectNode> runs = new ArrayList<>();
        runs.add(rec(0, "critical", 0.95, 0.999)); // critical: never counted as ending flat
        runs.add(rec(1, "gradient-flat", 0.97, 0.995));
        runs.add(rec(2, "other", 0.93, 0.95)); // r > 0.9 but r_H too large: the papers' colour, not our class
        runs.add(rec(3, "other", 0.2, 0.6));
        return runs;
    }

    @Test
    void countsRunsPassingEachRLevelAndEndingAtHighR() {
        Report.MethodStats s = Report.stats(records()).get(0);
        assertEquals(4, s.runs());
        assertEquals(4, s.maxRAbove()[0]); // ≥ 0.5
        assertEquals(3, s.maxRAbove()[1]); // ≥ 0.9
        assertEquals(2, s.maxRAbove()[2]); // ≥ 0.99
        assertEquals(2, s.finalRFlat());
    }

    @Test
    void summaryGivesStandardErrorsForTheMaxRCounts() {
        String md = Report.summary("t", "", records());
        // 3 of 4: p = 0.75, se = √(0.75·0.25/4) = 0.2165
        assertTrue(md.contains("| 3/4 (75% ± 22) |"), md);
        assertTrue(md.contains("| 2/4 (50% ± 25) |"), md);
        assertTrue(md.contains("not critical, final r > 0.9"), md);
    }

    @Test
    void rTracesShowEveryEndClassWhateverTheOrderRunsFinishedIn() {
        List<ObjectNode> runs = new ArrayList<>();
        for (int i = 9; i >= 0; i--) { // other runs finish first, in reverse order
            runs.add(rec(10 + i, "other", 0.1, 0.2));
        }
        runs.add(rec(3, "gradient-flat", 0.97, 0.99));
        runs.add(rec(1, "critical", 0.5, 0.9));
        java.util.Set<ObjectNode> rep = Report.representatives(runs);
        assertEquals(Report.R_TRACES_PER_CLASS + 2, rep.size());
        assertTrue(rep.stream().anyMatch(r -> r.path("status").asText().equals("critical")));
        assertTrue(rep.stream().anyMatch(r -> r.path("status").asText().equals("gradient-flat")));
        // the lowest-numbered other runs, not the first to finish
        assertTrue(rep.stream().filter(r -> r.path("status").asText().equals("other"))
                .allMatch(r -> r.path("run").asInt() < 10 + Report.R_TRACES_PER_CLASS));
    }

    @Test
    void rCdfIsOverAllRunsOfTheMethod() {
        // E4: 57 of 100 runs end with a final r, 43 end critical without one: the curve tops out at 0.57
        double[] y = Report.cdfOverAllRuns(57, 100);
        assertEquals(0.01, y[0], 1e-15);
        assertEquals(0.57, y[56], 1e-15);
    }

    @Test
    void readsAGzipCompressedTraceLikeThePlainOne(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        String csv = "iteration,loss,grad_norm_sq,r\n0,1.0,0.25,0.5\n1,0.5,1e-12,0.95\n";
        java.nio.file.Files.createDirectories(dir.resolve("traces"));
        java.nio.file.Files.writeString(dir.resolve("traces/a.csv"), csv);
        try (java.io.OutputStream o = new java.util.zip.GZIPOutputStream(
                java.nio.file.Files.newOutputStream(dir.resolve("traces/b.csv.gz")))) {
            o.write(csv.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertEquals(dir.resolve("traces/a.csv"), Report.traceFile(dir, "traces/a.csv"));
        assertEquals(dir.resolve("traces/b.csv.gz"), Report.traceFile(dir, "traces/b.csv"), "the .gz copy of a named trace");
        assertEquals(null, Report.traceFile(dir, "traces/c.csv"));
        Report.Trace a = Report.readTrace(Report.traceFile(dir, "traces/a.csv"));
        Report.Trace b = Report.readTrace(Report.traceFile(dir, "traces/b.csv"));
        org.junit.jupiter.api.Assertions.assertArrayEquals(a.gradNormSq(), b.gradNormSq());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {0.25, 1e-12}, b.gradNormSq());
    }
}
