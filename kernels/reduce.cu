// Deterministic reductions: sums of blocks and column sums. Each is a fixed two-stage
// tree: stage 1 reduces a partition of the input that depends only on the sizes (chosen
// by the Java LaunchConfig) into partials, stage 2 reduces the partials in a fixed order.
// No atomics, so results are bitwise reproducible run to run on a given device.
#include "morse_common.cuh"

// Stage 1 of y_j <- beta*y_j + alpha*sum_i x_j[i], j < k (blocks of n).
// grid.x == parts (exactly), grid.y over k, MORSE_REDUCE_THREADS threads.
// Block b of block j sums x_j[b*T + t + m*parts*T] (m = 0, 1, ...) per thread, then a tree.
// parts == 1: writes y directly; otherwise partial[j*parts + b].
MORSE_KERNEL void morse_sums(long long n, int k, int parts, double alpha, const double* x,
                             double beta, double* y, double* partial) {
    MORSE_SHARED double sh[MORSE_REDUCE_THREADS];
    unsigned t = threadIdx.x;
    long long stride = (long long)parts * MORSE_REDUCE_THREADS;
    MORSE_FOR_Y(j, k) {
        const double* xj = x + (long long)j * n;
        for (int b = (int)blockIdx.x; b < parts; b += (int)gridDim.x) {
            double acc = 0.0;
            for (long long i = (long long)b * MORSE_REDUCE_THREADS + t; i < n; i += stride) {
                acc += xj[i];
            }
            sh[t] = acc;
            morse_block_sum(sh, t);
            if (t == 0) {
                if (parts == 1) {
                    y[j] = beta == 0.0 ? alpha * sh[0] : beta * y[j] + alpha * sh[0];
                } else {
                    partial[(long long)j * parts + b] = sh[0];
                }
            }
            MORSE_SYNC();  // sh is reused by the next iteration
        }
    }
}

// Stage 2: y_j <- beta*y_j + alpha*sum_b partial[j*parts + b]; one block per j (grid.y).
MORSE_KERNEL void morse_sums_final(int k, int parts, double alpha, const double* partial,
                                   double beta, double* y) {
    MORSE_SHARED double sh[MORSE_REDUCE_THREADS];
    unsigned t = threadIdx.x;
    MORSE_FOR_Y(j, k) {
        double acc = 0.0;
        for (int b = (int)t; b < parts; b += MORSE_REDUCE_THREADS) {
            acc += partial[(long long)j * parts + b];
        }
        sh[t] = acc;
        morse_block_sum(sh, t);
        if (t == 0) {
            y[j] = beta == 0.0 ? alpha * sh[0] : beta * y[j] + alpha * sh[0];
        }
        MORSE_SYNC();
    }
}

// Stage 1 of y_j[c] <- beta*y_j[c] + alpha*sum_r x_j[r,c] over k blocks of rows x cols.
// Threads (MORSE_COLSUM_TX, MORSE_COLSUM_TY): tx picks a column of a tile, ty a row lane.
// grid.x over column tiles, grid.y over row chunks of chunkRows rows, grid.z over k.
// chunks == 1: writes y directly; otherwise partial[(j*chunks + chunk)*cols + c].
MORSE_KERNEL void morse_column_sums(int rows, int cols, int k, int chunkRows, int chunks,
                                    double alpha, const double* x, double beta, double* y,
                                    double* partial) {
    MORSE_SHARED double sh[MORSE_COLSUM_TY][MORSE_COLSUM_TX];
    unsigned tx = threadIdx.x;
    unsigned ty = threadIdx.y;
    int tiles = (cols + MORSE_COLSUM_TX - 1) / MORSE_COLSUM_TX;
    long long size = (long long)rows * cols;
    MORSE_FOR_Z(j, k) {
        const double* xj = x + (long long)j * size;
        for (int ch = (int)blockIdx.y; ch < chunks; ch += (int)gridDim.y) {
            long long r0 = (long long)ch * chunkRows;
            long long r1 = r0 + chunkRows < rows ? r0 + chunkRows : rows;
            for (int tile = (int)blockIdx.x; tile < tiles; tile += (int)gridDim.x) {
                int c = tile * MORSE_COLSUM_TX + (int)tx;
                double acc = 0.0;
                if (c < cols) {
                    for (long long r = r0 + ty; r < r1; r += MORSE_COLSUM_TY) {
                        acc += xj[r * cols + c];
                    }
                }
                sh[ty][tx] = acc;
                MORSE_SYNC();
                for (unsigned s = MORSE_COLSUM_TY / 2; s > 0; s >>= 1) {
                    if (ty < s) {
                        sh[ty][tx] += sh[ty + s][tx];
                    }
                    MORSE_SYNC();
                }
                if (ty == 0 && c < cols) {
                    double v = sh[0][tx];
                    if (chunks == 1) {
                        long long yi = (long long)j * cols + c;
                        y[yi] = beta == 0.0 ? alpha * v : beta * y[yi] + alpha * v;
                    } else {
                        partial[((long long)j * chunks + ch) * cols + c] = v;
                    }
                }
                MORSE_SYNC();
            }
        }
    }
}

// Stage 2: y_j[c] <- beta*y_j[c] + alpha*sum_chunk partial[(j*chunks + chunk)*cols + c],
// chunks summed in order; flat over cols (grid x), j along grid y.
MORSE_KERNEL void morse_column_sums_final(int cols, int k, int chunks, double alpha,
                                          const double* partial, double beta, double* y) {
    MORSE_FOR_Y(j, k) {
        MORSE_FOR_X(c, cols) {
            double acc = 0.0;
            for (int ch = 0; ch < chunks; ch++) {
                acc += partial[((long long)j * chunks + ch) * cols + c];
            }
            long long yi = (long long)j * cols + c;
            y[yi] = beta == 0.0 ? alpha * acc : beta * y[yi] + alpha * acc;
        }
    }
}
