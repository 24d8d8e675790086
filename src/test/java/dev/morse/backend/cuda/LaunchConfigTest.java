package dev.morse.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.cuda.LaunchConfig.Grid;
import org.junit.jupiter.api.Test;

/** Launch configurations for every size class, incl. 0 and more than 2^31 elements. */
class LaunchConfigTest {
    private final LaunchConfig lc = LaunchConfig.DEFAULT;

    @Test
    void flatGridCoversSmallSizesExactlyAndCapsLargeOnes() {
        assertTrue(lc.flat(0).empty());
        assertEquals(new Grid(1, 1, 1, 256, 1, 1), lc.flat(1));
        assertEquals(new Grid(1, 1, 1, 256, 1, 1), lc.flat(256));
        assertEquals(new Grid(2, 1, 1, 256, 1, 1), lc.flat(257));
        // beyond the cap the grid-stride loop covers the rest: 2^31 + 5 elements
        Grid g = lc.flat((1L << 31) + 5);
        assertEquals(LaunchConfig.MAX_GRID, g.gx());
        assertEquals((long) LaunchConfig.MAX_GRID * 256, g.blocks() * g.threadsPerBlock());
        assertEquals(LaunchConfig.MAX_GRID, lc.flat(Long.MAX_VALUE / 2).gx());
        assertThrows(IllegalArgumentException.class, () -> lc.flat(-1));
    }

    @Test
    void blockedGridPutsBlocksOnYAndCapsThem() {
        assertTrue(lc.blocks(10, 0).empty());
        assertTrue(lc.blocks(0, 10).empty());
        assertEquals(new Grid(4, 3, 1, 256, 1, 1), lc.blocks(1000, 3));
        assertEquals(LaunchConfig.MAX_GRID, lc.blocks(1, 1_000_000).gy());
    }

    @Test
    void sumPartitionDependsOnlyOnSizeAndIsBounded() {
        assertEquals(1, lc.sumParts(0));
        assertEquals(1, lc.sumParts(2048));
        assertEquals(2, lc.sumParts(2049));
        assertEquals(256, lc.sumParts(1L << 40));
        assertEquals(0, lc.sumsWorkspace(2048, 7));
        assertEquals(7L * 2, lc.sumsWorkspace(2049, 7));
        assertTrue(lc.sumsFinal(2048, 3).empty(), "one part: stage 1 writes the result");
        assertEquals(new Grid(1, 3, 1, 256, 1, 1), lc.sumsFinal(2049, 3));
        assertEquals(new Grid(1, 1, 1, 256, 1, 1), lc.sums(0, 1), "n = 0 still writes beta*y");
        assertTrue(lc.sums(5, 0).empty());
        assertEquals(new Grid(256, 2, 1, 256, 1, 1), lc.sums(3L << 32, 2));
    }

    @Test
    void columnChunksAreMultiplesOfTheLanesAndBounded() {
        for (int rows : new int[] {0, 1, 8, 255, 256, 257, 60000, Integer.MAX_VALUE}) {
            int cr = lc.columnChunkRows(rows);
            int ch = lc.columnChunks(rows);
            assertEquals(0, cr % LaunchConfig.COLSUM_TY, "rows " + rows);
            assertTrue(cr >= 256, "rows " + rows);
            assertTrue(ch >= 1 && ch <= 64, "rows " + rows + ": " + ch + " chunks");
            assertTrue((long) ch * cr >= rows, "chunks cover the rows " + rows);
            assertTrue((long) (ch - 1) * cr < Math.max(1, rows), "no empty chunk for rows " + rows);
        }
        assertEquals(1, lc.columnChunks(256));
        assertEquals(0, lc.columnSumsWorkspace(256, 1024, 5));
        assertEquals(64, lc.columnChunks(60000));
        assertEquals(5L * 64 * 1024, lc.columnSumsWorkspace(60000, 1024, 5));
        assertEquals(new Grid(32, 64, 5, 32, 8, 1), lc.columnSums(60000, 1024, 5));
        assertTrue(lc.columnSums(10, 0, 1).empty());
        assertTrue(lc.columnSumsFinal(100, 10, 1).empty());
        assertFalse(lc.columnSumsFinal(60000, 10, 1).empty());
    }

    @Test
    void softmaxRowsOneThreadEach() {
        assertEquals(new Grid(1, 1, 1, 256, 1, 1), lc.softmaxXent(0), "rows = 0 writes the NaN loss");
        assertEquals(1, lc.rowParts(256));
        assertEquals(235, lc.rowParts(60000));
        assertEquals(256, lc.rowParts(Integer.MAX_VALUE));
        assertTrue(lc.softmaxXentLoss(256).empty());
        assertEquals(235, lc.softmaxXentWorkspace(60000));
    }

    @Test
    void blockSizesAreLegal() {
        for (Grid g : new Grid[] {lc.flat(1), lc.sums(1, 1), lc.columnSums(1, 1, 1), lc.softmaxXent(1)}) {
            assertTrue(g.threadsPerBlock() <= 1024 && g.threadsPerBlock() % 32 == 0, g.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> new LaunchConfig(0, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new LaunchConfig(65536, 1, 1, 1, 1));
    }
}
