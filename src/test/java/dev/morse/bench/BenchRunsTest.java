package dev.morse.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.morse.bench.HvpBench.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchRunsTest {
    private static Row row(String net, String op, double median) {
        return new Row(net, "morse-cpu", op, new Timing(median, median / 2, median * 2, 100));
    }

    @Test
    void medianOfRunMediansWithTheirRange() {
        List<List<Row>> runs = List.of(
                List.of(row("a", "gradient", 3.0), row("a", "hvp_marginal", 1.0), row("b", "gradient", 9.0)),
                List.of(row("a", "gradient", 1.0), row("a", "hvp_marginal", 5.0)),
                List.of(row("a", "gradient", 2.0), row("a", "hvp_marginal", 4.0), row("b", "gradient", 7.0)));
        List<Row> c = BenchRuns.combine(runs);
        assertEquals(2, c.size(), "b's gradient is missing from run 2: left out");
        Timing g = c.get(0).t();
        assertEquals(2.0, g.medianS());
        assertEquals(1.0, g.minS());
        assertEquals(3.0, g.maxS());
        assertEquals(3, g.reps());
        Timing m = c.get(1).t();
        assertEquals("hvp_marginal", c.get(1).operation());
        assertEquals(4.0, m.medianS());
        assertEquals(1.0, m.minS());
        assertEquals(5.0, m.maxS());
    }

    @Test
    void aRunWithTwoRowsForOneOperationIsRefused() {
        List<List<Row>> runs = List.of(List.of(row("a", "gradient", 3.0), row("a", "gradient", 4.0)),
                List.of(row("a", "gradient", 1.0)));
        assertThrows(IllegalArgumentException.class, () -> BenchRuns.combine(runs));
    }

    @Test
    void readsWhatHvpCsvHoldsAndRefusesOtherFiles(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("hvp.csv");
        Row r = row("16-12-8-10@10000", "gradient", 0.007);
        Files.writeString(csv, "network,implementation,operation,median_s,min_s,max_s,reps\n" + r.csv() + "\n");
        List<Row> back = BenchRuns.readHvpCsv(csv);
        assertEquals(1, back.size());
        assertEquals(0.007, back.get(0).t().medianS(), 1e-15);
        assertEquals(100, back.get(0).t().reps());
        Path other = dir.resolve("runs.jsonl");
        Files.writeString(other, "{\"a\": 1}\n");
        assertThrows(IllegalArgumentException.class, () -> BenchRuns.readHvpCsv(other));
    }

    @Test
    void standardNetworksKeepTheirFlags() {
        assertEquals(true, BenchRuns.net("16-8-16-16@10000").mse());
        assertEquals(false, BenchRuns.net("32-32-4-2@50").bias());
        assertEquals(true, BenchRuns.net("7-3-2@5").bias());
    }
}
