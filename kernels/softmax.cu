// Row-wise softmax cross-entropy and the softmax JVP. One thread per row (the rows are
// the examples, the columns the classes: few, so a row fits a thread's registers and the
// loss of a row needs no inter-thread communication). The mean loss is a deterministic
// two-stage reduction of the per-row losses (no atomics on doubles).
#include "morse_common.cuh"

// Stage 1: for every row i: P_i <- softmax(z_i), G_i <- P_i - onehot(label_i), and the
// block's sum of row losses lse(z_i) - z_i[label_i]. grid.x == parts (exactly),
// MORSE_REDUCE_THREADS threads; block b owns rows b*T + t + m*parts*T.
// parts == 1: loss[0] <- total / rows directly; otherwise partial[b] <- block total.
// A label outside [0, cols) (which the host rejects before launching) yields NaN.
MORSE_KERNEL void morse_softmax_xent(int rows, int cols, int parts, const double* z,
                                     const int* labels, double* p, double* g, double* loss,
                                     double* partial) {
    MORSE_SHARED double sh[MORSE_REDUCE_THREADS];
    unsigned t = threadIdx.x;
    long long stride = (long long)parts * MORSE_REDUCE_THREADS;
    for (int b = (int)blockIdx.x; b < parts; b += (int)gridDim.x) {
        double acc = 0.0;
        for (long long r = (long long)b * MORSE_REDUCE_THREADS + t; r < rows; r += stride) {
            const double* zr = z + r * cols;
            double* pr = p + r * cols;
            double* gr = g + r * cols;
            int y = labels[r];
            double mx = zr[0];
            for (int c = 1; c < cols; c++) {
                mx = zr[c] > mx ? zr[c] : mx;
            }
            double sum = 0.0;
            for (int c = 0; c < cols; c++) {
                double e = exp(zr[c] - mx);
                pr[c] = e;
                sum += e;
            }
            double inv = 1.0 / sum;
            for (int c = 0; c < cols; c++) {
                double q = pr[c] * inv;
                pr[c] = q;
                gr[c] = c == y ? q - 1.0 : q;
            }
            acc += (y >= 0 && y < cols) ? mx + log(sum) - zr[y] : MORSE_NAN;
        }
        sh[t] = acc;
        morse_block_sum(sh, t);
        if (t == 0) {
            if (parts == 1) {
                loss[0] = sh[0] / rows;
            } else {
                partial[b] = sh[0];
            }
        }
        MORSE_SYNC();
    }
}

// Stage 2: loss[0] <- (sum of the parts partials, tree order) / rows; one block.
MORSE_KERNEL void morse_softmax_xent_loss(int rows, int parts, const double* partial,
                                          double* loss) {
    MORSE_SHARED double sh[MORSE_REDUCE_THREADS];
    unsigned t = threadIdx.x;
    double acc = 0.0;
    for (int b = (int)t; b < parts; b += MORSE_REDUCE_THREADS) {
        acc += partial[b];
    }
    sh[t] = acc;
    morse_block_sum(sh, t);
    if (t == 0) {
        loss[0] = sh[0] / rows;
    }
}

// The softmax cross-entropy's tangent-of-VJP in one pass, k blocks, P and G shared, l one
// scalar, ldot k of them:
// out_j <- (beta*out_j + (alpha*ldot_j)*G) + (alpha*l)*(P o (dz_j - rowsum(P o dz_j) 1^T)).
// One thread per (row, block): rows flat along grid x, blocks along grid y.
MORSE_KERNEL void morse_softmax_ce_tvjp(int rows, int cols, int k, double alpha, const double* p,
                                        const double* g, const double* dz, const double* l,
                                        const double* ldot, double beta, double* out) {
    long long size = (long long)rows * cols;
    double a2 = alpha * l[0];
    MORSE_FOR_Y(j, k) {
        double a1 = alpha * ldot[j];
        MORSE_FOR_X(r, rows) {
            const double* pr = p + r * cols;
            const double* gr = g + r * cols;
            const double* zr = dz + (long long)j * size + r * cols;
            double* orow = out + (long long)j * size + r * cols;
            double s = 0.0;
            for (int c = 0; c < cols; c++) {
                s += pr[c] * zr[c];
            }
            for (int c = 0; c < cols; c++) {
                double pd = pr[c] * (zr[c] - s);
                double v = beta == 0.0 ? a1 * gr[c] : beta * orow[c] + a1 * gr[c];
                orow[c] = v + a2 * pd;
            }
        }
    }
}
