package dev.morse.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.cpu.CpuBackend;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What one network's rows of {@code bench hvp} hold (not how fast: no timing is checked). */
class HvpBenchTest {
    @Test
    void aNetworkGivesGradientHvpMarginalAndBlockRows() {
        try (CpuBackend b = new CpuBackend()) {
            List<HvpBench.Row> rows = HvpBench.run(HvpBench.Net.parse("4-3-2@10"), b, "morse-cpu", 4, 0.001);
            assertEquals(List.of("gradient", "hvp", "hvp_marginal", "hvp_block_per_direction"),
                    rows.stream().map(HvpBench.Row::operation).toList());
            for (HvpBench.Row r : rows) {
                assertTrue(r.t().medianS() > 0 && r.t().reps() >= 3, r.csv());
            }
        }
    }

    @Test
    void aBlockOfOneDirectionIsNotTimedAsABlock() {
        // --block 1: one tangent pass of one direction is the marginal HVP itself
        try (CpuBackend b = new CpuBackend()) {
            List<HvpBench.Row> rows = HvpBench.run(HvpBench.Net.parse("4-3-2@10"), b, "morse-cpu", 1, 0.001);
            assertEquals(List.of("gradient", "hvp", "hvp_marginal"),
                    rows.stream().map(HvpBench.Row::operation).toList());
        }
    }
}
