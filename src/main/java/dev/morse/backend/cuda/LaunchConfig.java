package dev.morse.backend.cuda;

/**
 * Launch configurations of morse's kernels, pure arithmetic so it is tested without a GPU.
 *
 * <p>Every kernel is a grid-stride loop, so a grid never needs more than {@link #maxGrid}
 * blocks per dimension (65535 by default: the y/z limit of every CUDA device, and for x
 * far more threads than any GPU runs at once); sizes beyond 2^31 elements are covered by
 * the loops. An empty problem gives an {@link Grid#empty() empty} grid, which must not be
 * launched (a zero-sized grid is an invalid launch).
 *
 * <p>The reductions are deterministic: their partition into parts / chunks depends only on
 * the problem sizes and this configuration, never on the device, so the summation order
 * (and with it every bit of the result) is the same from run to run and across GPUs.
 */
public final class LaunchConfig {
    /** Threads per block of the flat elementwise kernels. */
    public static final int THREADS = 256;
    /** Threads per block of the reduction kernels; = MORSE_REDUCE_THREADS in kernels/morse_common.cuh. */
    public static final int REDUCE_THREADS = 256;
    /** Column-sum tile: columns per block; = MORSE_COLSUM_TX. */
    public static final int COLSUM_TX = 32;
    /** Column-sum tile: row lanes per block; = MORSE_COLSUM_TY. */
    public static final int COLSUM_TY = 8;
    /** Largest grid dimension used (the y and z limit of all CUDA devices). */
    public static final int MAX_GRID = 65535;

    /** The configuration the CUDA backend uses. */
    public static final LaunchConfig DEFAULT = new LaunchConfig(MAX_GRID, 256, 8, 64, 256);

    private final int maxGrid;
    private final int maxParts;
    private final int minPerThread;
    private final int maxChunks;
    private final int minChunkRows;

    /**
     * @param maxGrid      blocks per grid dimension at most
     * @param maxParts     stage-1 blocks of a sum (partials per block), at most
     * @param minPerThread elements per thread of a sum before another part is used
     * @param maxChunks    row chunks of a column sum (partials per column), at most
     * @param minChunkRows rows per column-sum chunk, at least (rounded up to COLSUM_TY)
     */
    LaunchConfig(int maxGrid, int maxParts, int minPerThread, int maxChunks, int minChunkRows) {
        if (maxGrid < 1 || maxGrid > MAX_GRID || maxParts < 1 || minPerThread < 1
                || maxChunks < 1 || minChunkRows < 1) {
            throw new IllegalArgumentException("bad launch configuration");
        }
        this.maxGrid = maxGrid;
        this.maxParts = maxParts;
        this.minPerThread = minPerThread;
        this.maxChunks = maxChunks;
        this.minChunkRows = minChunkRows;
    }

    /** Grid (gx, gy, gz) of blocks (bx, by, bz). */
    public record Grid(int gx, int gy, int gz, int bx, int by, int bz) {
        public static final Grid EMPTY = new Grid(0, 0, 0, 0, 0, 0);

        public boolean empty() {
            return gx == 0 || gy == 0 || gz == 0;
        }

        public int threadsPerBlock() {
            return bx * by * bz;
        }

        public long blocks() {
            return (long) gx * gy * gz;
        }
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private int cap(long blocks) {
        return (int) Math.min(blocks, maxGrid);
    }

    /** A flat grid-stride loop over n elements. */
    public Grid flat(long n) {
        return blocks(n, 1);
    }

    /** A flat loop over n elements (grid x) for each of k blocks (grid y). */
    public Grid blocks(long n, int k) {
        checkSizes(n, k);
        if (n == 0 || k == 0) {
            return Grid.EMPTY;
        }
        return new Grid(cap(ceilDiv(n, THREADS)), cap(k), 1, THREADS, 1, 1);
    }

    // ---------------------------------------------------------------- sums

    /** Number of stage-1 parts of a sum of n elements (at least 1, also for n = 0). */
    public int sumParts(long n) {
        checkSizes(n, 1);
        return (int) Math.max(1, Math.min(maxParts, ceilDiv(n, (long) REDUCE_THREADS * minPerThread)));
    }

    /** Stage 1 of k sums of n: parts blocks along x, k along y. */
    public Grid sums(long n, int k) {
        checkSizes(n, k);
        if (k == 0) {
            return Grid.EMPTY;
        }
        return new Grid(cap(sumParts(n)), cap(k), 1, REDUCE_THREADS, 1, 1);
    }

    /** Stage 2 of k sums: one block per sum; empty when stage 1 already wrote the result. */
    public Grid sumsFinal(long n, int k) {
        if (k == 0 || sumParts(n) == 1) {
            return Grid.EMPTY;
        }
        return new Grid(1, cap(k), 1, REDUCE_THREADS, 1, 1);
    }

    /** float64 workspace of k sums of n (the stage-1 partials). */
    public long sumsWorkspace(long n, int k) {
        int parts = sumParts(n);
        return parts == 1 ? 0 : Math.multiplyExact((long) k, parts);
    }

    // ---------------------------------------------------------------- column sums

    /** Rows per chunk of a column sum over rows rows (a multiple of COLSUM_TY). */
    public int columnChunkRows(int rows) {
        checkSizes(rows, 1);
        long want = Math.max(minChunkRows, ceilDiv(rows, maxChunks));
        return (int) Math.min(Integer.MAX_VALUE - COLSUM_TY, ceilDiv(want, COLSUM_TY) * COLSUM_TY);
    }

    /** Row chunks of a column sum over rows rows (at least 1, also for rows = 0). */
    public int columnChunks(int rows) {
        return (int) Math.max(1, ceilDiv(rows, columnChunkRows(rows)));
    }

    /** Stage 1: column tiles along x, row chunks along y, blocks along z. */
    public Grid columnSums(int rows, int cols, int k) {
        checkSizes(rows, k);
        checkSizes(cols, 1);
        if (cols == 0 || k == 0) {
            return Grid.EMPTY;
        }
        return new Grid(cap(ceilDiv(cols, COLSUM_TX)), cap(columnChunks(rows)), cap(k),
                COLSUM_TX, COLSUM_TY, 1);
    }

    /** Stage 2: flat over columns, blocks along y; empty when stage 1 wrote the result. */
    public Grid columnSumsFinal(int rows, int cols, int k) {
        if (columnChunks(rows) == 1) {
            return Grid.EMPTY;
        }
        return blocks(cols, k);
    }

    /** float64 workspace of a column sum (the per-chunk partials). */
    public long columnSumsWorkspace(int rows, int cols, int k) {
        int chunks = columnChunks(rows);
        return chunks == 1 ? 0 : Math.multiplyExact(Math.multiplyExact((long) k, chunks), (long) cols);
    }

    // ---------------------------------------------------------------- softmax cross-entropy

    /** Stage-1 parts of the row losses: one thread per row, at most maxParts blocks. */
    public int rowParts(int rows) {
        checkSizes(rows, 1);
        return (int) Math.max(1, Math.min(maxParts, ceilDiv(rows, REDUCE_THREADS)));
    }

    /** Stage 1 of softmax cross-entropy; never empty (rows = 0 still writes the loss, 0/0 = NaN, as the CPU does). */
    public Grid softmaxXent(int rows) {
        return new Grid(cap(rowParts(rows)), 1, 1, REDUCE_THREADS, 1, 1);
    }

    /** Stage 2 of softmax cross-entropy: one block; empty when stage 1 wrote the loss. */
    public Grid softmaxXentLoss(int rows) {
        if (rowParts(rows) == 1) {
            return Grid.EMPTY;
        }
        return new Grid(1, 1, 1, REDUCE_THREADS, 1, 1);
    }

    /** float64 workspace of softmax cross-entropy (one partial per part). */
    public long softmaxXentWorkspace(int rows) {
        int parts = rowParts(rows);
        return parts == 1 ? 0 : parts;
    }

    private static void checkSizes(long n, int k) {
        if (n < 0 || k < 0) {
            throw new IllegalArgumentException("negative size: n=" + n + ", k=" + k);
        }
    }
}
