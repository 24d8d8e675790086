package dev.morse.bench.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchPeerTest {

    @Test
    void medianOfOddAndEvenCounts() {
        TorchPeer.Timing odd = TorchPeer.Timing.of(new double[] {3, 1, 2});
        assertEquals(2, odd.median());
        assertEquals(1, odd.min());
        assertEquals(3, odd.max());
        assertEquals(3, odd.reps());
        assertEquals(2.5, TorchPeer.Timing.of(new double[] {4, 1, 3, 2}).median());
    }

    @Test
    void parsesOptions() {
        TorchPeer.Options o = TorchPeer.Options.parse(new String[] {
            "--threads", "2", "--reps", "3", "--out", "x.csv", "784-64-10@10000", "32-32-4-2@50:nobias"});
        assertEquals(2, o.threads());
        assertEquals(3, o.reps());
        assertEquals(Path.of("x.csv"), o.out());
        assertEquals(List.of(NetworkSpec.parse("784-64-10@10000"), NetworkSpec.parse("32-32-4-2@50:nobias")),
                o.networks());
        assertThrows(IllegalArgumentException.class, () -> TorchPeer.Options.parse(new String[] {"--reps", "0", "8-2@4"}));
        assertThrows(IllegalArgumentException.class, () -> TorchPeer.Options.parse(new String[] {"--bogus", "8-2@4"}));
        assertThrows(IllegalArgumentException.class, () -> TorchPeer.Options.parse(new String[] {"--threads", "2"}));
        assertThrows(IllegalArgumentException.class, () -> TorchPeer.Options.parse(new String[] {"8-2@4", "--out"}));
    }

    @Test
    void writesOneRowPerNetworkAndOperation(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("peer.csv");
        TorchPeer.Options o = TorchPeer.Options.parse(new String[] {
            "--threads", "1", "--reps", "2", "--warmup", "0", "--check", "--out", csv.toString(),
            "6-5-3@7:nobias", "4-3-2@5:mse"});
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TorchPeer.run(o, new PrintStream(log, true, StandardCharsets.UTF_8));

        List<String> lines = Files.readAllLines(csv);
        assertEquals(TorchPeer.CSV_HEADER, lines.get(0));
        assertEquals(13, lines.size());
        String[] prefixes = {
            "6-5-3@7,libtorch-linear-silu,gradient,", "6-5-3@7,libtorch-linear-silu,hvp,",
            "6-5-3@7,libtorch-addmm-xsigmoid,gradient,", "6-5-3@7,libtorch-addmm-xsigmoid,hvp,",
            "6-5-3@7,libtorch,gradient,", "6-5-3@7,libtorch,hvp,",
            "4-3-2@5,libtorch-linear-silu,gradient,", "4-3-2@5,libtorch-linear-silu,hvp,",
            "4-3-2@5,libtorch-addmm-xsigmoid,gradient,", "4-3-2@5,libtorch-addmm-xsigmoid,hvp,",
            "4-3-2@5,libtorch,gradient,", "4-3-2@5,libtorch,hvp,"};
        for (int i = 0; i < prefixes.length; i++) {
            String row = lines.get(i + 1);
            assertTrue(row.startsWith(prefixes[i]), row);
            String[] f = row.split(",");
            assertEquals(7, f.length, row);
            double median = Double.parseDouble(f[3]);
            double min = Double.parseDouble(f[4]);
            double max = Double.parseDouble(f[5]);
            assertTrue(min > 0 && min <= median && median <= max, row);
            assertEquals("2", f[6]);
        }
        // the libtorch rows are the fastest formulation's, operation by operation
        for (int net = 0; net < 2; net++) {
            for (int op = 0; op < 2; op++) {
                double a = Double.parseDouble(lines.get(1 + 6 * net + op).split(",")[3]);
                double b = Double.parseDouble(lines.get(3 + 6 * net + op).split(",")[3]);
                double best = Double.parseDouble(lines.get(5 + 6 * net + op).split(",")[3]);
                assertEquals(Math.min(a, b), best, 0.0, lines.get(5 + 6 * net + op));
            }
        }
        String text = log.toString(StandardCharsets.UTF_8);
        // thread line + per network: one summary per formulation and the fastest
        assertEquals(7, text.lines().count(), text);
        assertTrue(text.contains("6-5-3@7:nobias") && text.contains("|Hv-fd|/|Hv|"), text);
    }
}
