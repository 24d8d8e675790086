package dev.morse.backend.cpu;

import dev.morse.backend.UnaryFn;
import java.nio.DoubleBuffer;

/**
 * The CPU backend's elementwise loops over a range of elements or rows. Direct
 * {@code DoubleBuffer} indexing checks bounds per element and does not vectorize, so every
 * loop bulk-copies its operands into cache-sized {@code double[]} tiles, computes there in
 * plain loops that C2 vectorizes, and copies the result back. Each expression is written
 * exactly as the scalar reference (same operands, same order), so results are bitwise those
 * of the one-element-at-a-time loops; sums keep their order (C2 does not reorder
 * floating-point reductions). The elementwise functions run {@link UnaryFn#eval}, the
 * table's own loops, on each tile. One instance per thread: the tiles are its scratch.
 */
final class CpuLoops {
    /** Elements per tile: five tiles of 8 KiB stay in a 32 KiB L1 with room to spare. */
    static final int TILE = 1024;

    private final double[] t0 = new double[TILE];
    private final double[] t1 = new double[TILE];
    private final double[] t2 = new double[TILE];
    private final double[] t3 = new double[TILE];
    private final double[] t4 = new double[TILE];
    /** One row's worth of per-column values (a bias row, column sums); grown on demand. */
    private double[] row = new double[TILE];

    private double[] row(int cols) {
        if (row.length < cols) {
            row = new double[cols];
        }
        return row;
    }

    /** Rows per tile for rows of {@code cols} columns (0 when one row does not fit: segments). */
    static int rowsPerTile(int cols) {
        return cols == 0 ? TILE : TILE / cols;
    }

    // ---------------------------------------------------------------- flat ranges [lo, hi)

    void fill(DoubleBuffer y, int yo, double v, int lo, int hi) {
        java.util.Arrays.fill(t0, v);
        for (int j = lo; j < hi; j += TILE) {
            int m = Math.min(TILE, hi - j);
            y.put(yo + j, t0, 0, m);
        }
    }

    void axpby(double a, DoubleBuffer x, int xo, double b, DoubleBuffer y, int yo, int lo, int hi) {
        double[] xt = t0;
        double[] yt = t1;
        for (int j = lo; j < hi; j += TILE) {
            int m = Math.min(TILE, hi - j);
            x.get(xo + j, xt, 0, m);
            if (b == 0.0) {
                for (int e = 0; e < m; e++) {
                    yt[e] = a * xt[e];
                }
            } else {
                y.get(yo + j, yt, 0, m);
                for (int e = 0; e < m; e++) {
                    yt[e] = a * xt[e] + b * yt[e];
                }
            }
            y.put(yo + j, yt, 0, m);
        }
    }

    void unary(UnaryFn f, int p, DoubleBuffer x, int xo, DoubleBuffer y, int yo, int lo, int hi) {
        double[] xt = t0;
        double[] yt = t1;
        for (int j = lo; j < hi; j += TILE) {
            int m = Math.min(TILE, hi - j);
            x.get(xo + j, xt, 0, m);
            f.eval(p, xt, yt, null, null, m); // the table's own loop on the tile
            y.put(yo + j, yt, 0, m);
        }
    }

    void unaryDerivatives(UnaryFn f, int p, DoubleBuffer x, int xo, DoubleBuffer y, int yo,
                          DoubleBuffer d1, int d1o, DoubleBuffer d2, int d2o, int lo, int hi) {
        double[] xt = t0;
        for (int j = lo; j < hi; j += TILE) {
            int m = Math.min(TILE, hi - j);
            x.get(xo + j, xt, 0, m);
            f.eval(p, xt, t1, t2, t3, m);
            y.put(yo + j, t1, 0, m);
            d1.put(d1o + j, t2, 0, m);
            d2.put(d2o + j, t3, 0, m);
        }
    }

    /** z ← β·z + α·x∘y over [lo, hi) of one block (x, y, z already offset to the block). */
    void mul(double alpha, DoubleBuffer x, int xo, DoubleBuffer y, int yo, double beta,
             DoubleBuffer z, int zo, int lo, int hi) {
        double[] xt = t0;
        double[] yt = t1;
        double[] zt = t2;
        for (int j = lo; j < hi; j += TILE) {
            int m = Math.min(TILE, hi - j);
            x.get(xo + j, xt, 0, m);
            y.get(yo + j, yt, 0, m);
            if (beta == 0.0) {
                for (int e = 0; e < m; e++) {
                    zt[e] = alpha * xt[e] * yt[e];
                }
            } else {
                z.get(zo + j, zt, 0, m);
                for (int e = 0; e < m; e++) {
                    zt[e] = beta * zt[e] + alpha * xt[e] * yt[e];
                }
            }
            z.put(zo + j, zt, 0, m);
        }
    }

    /** z ← β·z + a∘x + b∘y over [lo, hi) of one block. */
    void mul2(DoubleBuffer a, int ao, DoubleBuffer x, int xo, DoubleBuffer b, int bo,
              DoubleBuffer y, int yo, double beta, DoubleBuffer z, int zo, int lo, int hi) {
        double[] at = t0;
        double[] xt = t1;
        double[] bt = t2;
        double[] yt = t3;
        double[] zt = t4;
        for (int j = lo; j < hi; j += TILE) {
            int m = Math.min(TILE, hi - j);
            a.get(ao + j, at, 0, m);
            x.get(xo + j, xt, 0, m);
            b.get(bo + j, bt, 0, m);
            y.get(yo + j, yt, 0, m);
            if (beta == 0.0) {
                for (int e = 0; e < m; e++) {
                    zt[e] = at[e] * xt[e] + bt[e] * yt[e];
                }
            } else {
                z.get(zo + j, zt, 0, m);
                for (int e = 0; e < m; e++) {
                    zt[e] = beta * zt[e] + at[e] * xt[e] + bt[e] * yt[e];
                }
            }
            z.put(zo + j, zt, 0, m);
        }
    }

    /** y ← β·y + a·x (x null: y ← β·y + a, or a when β = 0) over [lo, hi) of one block. */
    void scale(double a, DoubleBuffer x, int xo, double beta, DoubleBuffer y, int yo, int lo, int hi) {
        double[] xt = t0;
        double[] yt = t1;
        for (int j = lo; j < hi; j += TILE) {
            int m = Math.min(TILE, hi - j);
            if (x == null) {
                if (beta == 0.0) {
                    java.util.Arrays.fill(yt, 0, m, a);
                } else {
                    y.get(yo + j, yt, 0, m);
                    for (int e = 0; e < m; e++) {
                        yt[e] = beta * yt[e] + a;
                    }
                }
            } else {
                x.get(xo + j, xt, 0, m);
                if (beta == 0.0) {
                    for (int e = 0; e < m; e++) {
                        yt[e] = a * xt[e];
                    }
                } else {
                    y.get(yo + j, yt, 0, m);
                    for (int e = 0; e < m; e++) {
                        yt[e] = beta * yt[e] + a * xt[e];
                    }
                }
            }
            y.put(yo + j, yt, 0, m);
        }
    }

    /** Σ_j x[j] over [0, n), in order. */
    double sum(DoubleBuffer x, int xo, int n) {
        double[] xt = t0;
        double acc = 0.0;
        for (int j = 0; j < n; j += TILE) {
            int m = Math.min(TILE, n - j);
            x.get(xo + j, xt, 0, m);
            for (int e = 0; e < m; e++) {
                acc += xt[e];
            }
        }
        return acc;
    }

    // ---------------------------------------------------------------- row ranges [r0, r1) of rows×cols

    /**
     * z[r,c] ← z[r,c] + α·b[c] on rows [r0, r1) of one block; when {@code f} is not null, then
     * y ← f(z) and (d1 not null) d1 ← f'(z), d2 ← f''(z) on the same rows while they are in cache.
     */
    void biasRows(int cols, double alpha, DoubleBuffer b, int bo, DoubleBuffer z, int zo,
                  UnaryFn f, int p, DoubleBuffer y, int yo, DoubleBuffer d1, int d1o,
                  DoubleBuffer d2, int d2o, int r0, int r1) {
        if (cols == 0) {
            return;
        }
        int per = rowsPerTile(cols);
        double[] zt = t0;
        if (per > 0) {
            double[] bt = row(cols);
            b.get(bo, bt, 0, cols);
            for (int r = r0; r < r1; r += per) {
                int nr = Math.min(per, r1 - r);
                int at = r * cols;
                int m = nr * cols;
                z.get(zo + at, zt, 0, m);
                for (int q = 0; q < nr; q++) {
                    int base = q * cols;
                    for (int c = 0; c < cols; c++) {
                        zt[base + c] = zt[base + c] + alpha * bt[c];
                    }
                }
                finishBias(zt, m, z, zo + at, f, p, y, yo + at, d1, d1o + at, d2, d2o + at);
            }
        } else {
            double[] bt = t4;
            for (int r = r0; r < r1; r++) {
                for (int c0 = 0; c0 < cols; c0 += TILE) {
                    int m = Math.min(TILE, cols - c0);
                    int at = r * cols + c0;
                    b.get(bo + c0, bt, 0, m);
                    z.get(zo + at, zt, 0, m);
                    for (int c = 0; c < m; c++) {
                        zt[c] = zt[c] + alpha * bt[c];
                    }
                    finishBias(zt, m, z, zo + at, f, p, y, yo + at, d1, d1o + at, d2, d2o + at);
                }
            }
        }
    }

    private void finishBias(double[] zt, int m, DoubleBuffer z, int zat, UnaryFn f, int p,
                            DoubleBuffer y, int yat, DoubleBuffer d1, int d1at, DoubleBuffer d2, int d2at) {
        z.put(zat, zt, 0, m);
        if (f == null) {
            return;
        }
        if (d1 == null) {
            f.eval(p, zt, t1, null, null, m);
            y.put(yat, t1, 0, m);
        } else {
            f.eval(p, zt, t1, t2, t3, m);
            y.put(yat, t1, 0, m);
            d1.put(d1at, t2, 0, m);
            d2.put(d2at, t3, 0, m);
        }
    }

    /** z[r,c] ← z[r,c] + b[c], then y ← 1·d∘z, on rows [r0, r1) of one block (d not offset by block). */
    void biasMul(int cols, DoubleBuffer b, int bo, DoubleBuffer z, int zo, DoubleBuffer d, int dOff,
                 DoubleBuffer y, int yo, int r0, int r1) {
        if (cols == 0) {
            return;
        }
        int per = rowsPerTile(cols);
        double[] zt = t0;
        double[] dt = t1;
        double[] yt = t2;
        if (per > 0) {
            double[] bt = row(cols);
            b.get(bo, bt, 0, cols);
            for (int r = r0; r < r1; r += per) {
                int nr = Math.min(per, r1 - r);
                int at = r * cols;
                int m = nr * cols;
                z.get(zo + at, zt, 0, m);
                for (int q = 0; q < nr; q++) {
                    int base = q * cols;
                    for (int c = 0; c < cols; c++) {
                        zt[base + c] = zt[base + c] + 1.0 * bt[c];
                    }
                }
                z.put(zo + at, zt, 0, m);
                d.get(dOff + at, dt, 0, m);
                for (int e = 0; e < m; e++) {
                    yt[e] = 1.0 * dt[e] * zt[e];
                }
                y.put(yo + at, yt, 0, m);
            }
        } else {
            double[] bt = t3;
            for (int r = r0; r < r1; r++) {
                for (int c0 = 0; c0 < cols; c0 += TILE) {
                    int m = Math.min(TILE, cols - c0);
                    int at = r * cols + c0;
                    b.get(bo + c0, bt, 0, m);
                    z.get(zo + at, zt, 0, m);
                    for (int c = 0; c < m; c++) {
                        zt[c] = zt[c] + 1.0 * bt[c];
                    }
                    z.put(zo + at, zt, 0, m);
                    d.get(dOff + at, dt, 0, m);
                    for (int e = 0; e < m; e++) {
                        yt[e] = 1.0 * dt[e] * zt[e];
                    }
                    y.put(yo + at, yt, 0, m);
                }
            }
        }
    }

    /** y[c] ← (β = 0 ? 0 : β·y[c]) then y[c] += α·x[r,c] for every row r in order (one block). */
    void columnSums(int rows, int cols, double alpha, DoubleBuffer x, int xo, double beta,
                    DoubleBuffer y, int yo) {
        if (cols == 0) {
            return;
        }
        double[] acc = row(cols);
        if (beta == 0.0) {
            java.util.Arrays.fill(acc, 0, cols, 0.0);
        } else {
            y.get(yo, acc, 0, cols);
            for (int c = 0; c < cols; c++) {
                acc[c] = beta * acc[c];
            }
        }
        int per = rowsPerTile(cols);
        double[] xt = t0;
        if (per > 0) {
            for (int r = 0; r < rows; r += per) {
                int nr = Math.min(per, rows - r);
                x.get(xo + r * cols, xt, 0, nr * cols);
                for (int q = 0; q < nr; q++) {
                    int base = q * cols;
                    for (int c = 0; c < cols; c++) {
                        acc[c] = acc[c] + alpha * xt[base + c];
                    }
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                for (int c0 = 0; c0 < cols; c0 += TILE) {
                    int m = Math.min(TILE, cols - c0);
                    x.get(xo + r * cols + c0, xt, 0, m);
                    for (int c = 0; c < m; c++) {
                        acc[c0 + c] = acc[c0 + c] + alpha * xt[c];
                    }
                }
            }
        }
        y.put(yo, acc, 0, cols);
    }

    /**
     * dp ← β·dp + α·P∘(dz − rowsum(P∘dz)·1ᵀ) on rows [r0, r1) of one block (P not offset by
     * block). Rows wider than a tile take the scalar path.
     */
    void softmaxJvp(int cols, DoubleBuffer p, int po, DoubleBuffer dz, int dzo, double alpha, double beta,
                    DoubleBuffer dp, int dpo, int r0, int r1) {
        if (cols == 0) {
            return;
        }
        int per = rowsPerTile(cols);
        if (per == 0) {
            for (int r = r0; r < r1; r++) {
                int pi = po + r * cols;
                int zi = dzo + r * cols;
                int oi = dpo + r * cols;
                double s = 0.0;
                for (int c = 0; c < cols; c++) {
                    s += p.get(pi + c) * dz.get(zi + c);
                }
                for (int c = 0; c < cols; c++) {
                    double v = alpha * p.get(pi + c) * (dz.get(zi + c) - s);
                    dp.put(oi + c, beta == 0.0 ? v : beta * dp.get(oi + c) + v);
                }
            }
            return;
        }
        double[] pt = t0;
        double[] zt = t1;
        double[] ot = t2;
        for (int r = r0; r < r1; r += per) {
            int nr = Math.min(per, r1 - r);
            int at = r * cols;
            int m = nr * cols;
            p.get(po + at, pt, 0, m);
            dz.get(dzo + at, zt, 0, m);
            if (beta != 0.0) {
                dp.get(dpo + at, ot, 0, m);
            }
            for (int q = 0; q < nr; q++) {
                int base = q * cols;
                double s = 0.0;
                for (int c = 0; c < cols; c++) {
                    s += pt[base + c] * zt[base + c];
                }
                if (beta == 0.0) {
                    for (int c = 0; c < cols; c++) {
                        ot[base + c] = alpha * pt[base + c] * (zt[base + c] - s);
                    }
                } else {
                    for (int c = 0; c < cols; c++) {
                        double v = alpha * pt[base + c] * (zt[base + c] - s);
                        ot[base + c] = beta * ot[base + c] + v;
                    }
                }
            }
            dp.put(dpo + at, ot, 0, m);
        }
    }

    /**
     * Softmax and its cross-entropy gradient on rows [r0, r1): P ← softmax(Z), G ← P − onehot;
     * returns Σ_r (max_r + log Σ exp − z[r, y_r]) over those rows, in order.
     */
    double softmaxCrossEntropy(int cols, DoubleBuffer z, int zo, int[] lab, DoubleBuffer p, int po,
                               DoubleBuffer g, int go, int r0, int r1) {
        double total = 0.0;
        int per = rowsPerTile(cols);
        if (per == 0 || cols == 0) {
            for (int r = r0; r < r1; r++) {
                total += softmaxRowScalar(cols, z, zo + r * cols, lab[r], p, po + r * cols, g, go + r * cols);
            }
            return total;
        }
        double[] zt = t0;
        double[] pt = t1;
        double[] gt = t2;
        for (int r = r0; r < r1; r += per) {
            int nr = Math.min(per, r1 - r);
            int at = r * cols;
            int m = nr * cols;
            z.get(zo + at, zt, 0, m);
            for (int q = 0; q < nr; q++) {
                int base = q * cols;
                int yl = lab[r + q];
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < cols; c++) {
                    max = Math.max(max, zt[base + c]);
                }
                double sum = 0.0;
                for (int c = 0; c < cols; c++) {
                    double e = Math.exp(zt[base + c] - max);
                    pt[base + c] = e;
                    sum += e;
                }
                double inv = 1.0 / sum;
                for (int c = 0; c < cols; c++) {
                    double pr = pt[base + c] * inv;
                    pt[base + c] = pr;
                    gt[base + c] = c == yl ? pr - 1.0 : pr;
                }
                total += max + Math.log(sum) - zt[base + yl];
            }
            p.put(po + at, pt, 0, m);
            g.put(go + at, gt, 0, m);
        }
        return total;
    }

    private static double softmaxRowScalar(int cols, DoubleBuffer zb, int zi, int y, DoubleBuffer pb, int pi,
                                           DoubleBuffer gb, int gi) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < cols; c++) {
            max = Math.max(max, zb.get(zi + c));
        }
        double sum = 0.0;
        for (int c = 0; c < cols; c++) {
            double e = Math.exp(zb.get(zi + c) - max);
            pb.put(pi + c, e);
            sum += e;
        }
        double inv = 1.0 / sum;
        for (int c = 0; c < cols; c++) {
            double pr = pb.get(pi + c) * inv;
            pb.put(pi + c, pr);
            gb.put(gi + c, c == y ? pr - 1.0 : pr);
        }
        return max + Math.log(sum) - zb.get(zi + y);
    }
}
