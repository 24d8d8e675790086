package dev.morse.backend.cpu;

import dev.morse.backend.UnaryFn;
import java.nio.DoubleBuffer;

/**
 * The CPU backend's elementwise kernels and the two loop drivers that run them over cache-sized
 * tiles. Direct {@code DoubleBuffer} indexing checks bounds per element and does not vectorize,
 * so a kernel bulk-copies its operands into {@code double[]} tiles, computes there in plain
 * loops that C2 vectorizes, and copies the result back. A kernel ({@link Kernel}) is an object
 * whose fields hold one call's operands (set before the call, so a call allocates nothing); it
 * is either {@link Flat} (a range of elements, tile by tile) or {@link Rows} (a range of rows:
 * whole rows a tile at a time, rows wider than a tile in segments). Each expression is written
 * exactly as the scalar reference (same operands, same order), so results are bitwise those of
 * the one-element-at-a-time loops; sums keep their order (C2 does not reorder floating-point
 * reductions). The elementwise functions run {@link UnaryFn#eval}, the table's own loops, on
 * each tile. One instance of this class per thread: the tiles are its scratch.
 */
final class CpuLoops {
    /** Elements each tile array holds: rows up to this wide are taken whole, wider ones in segments. */
    static final int TILE = 1024;
    /**
     * Elements a loop takes per tile (rows: as many whole rows as fit in it, at least one): a
     * kernel's five tiles of 2 KiB stay in L1 beside the buffers being read. The copies into and
     * out of the tiles are what these loops spend most of their time on, and at 1024 elements
     * (five tiles of 8 KiB, more than a 32 KiB L1) they ran slower: a 16-12-8-10 marginal HVP on
     * a 5000-row shard, one thread, three alternating rounds, took 0.98-1.05 ms at 256 against
     * 1.10-1.37 ms at 1024 (16-8-16-16: 1.21-1.70 against 1.40-1.57 ms).
     */
    static final int SPAN = 256;

    final double[] t0 = new double[TILE];
    final double[] t1 = new double[TILE];
    final double[] t2 = new double[TILE];
    final double[] t3 = new double[TILE];
    final double[] t4 = new double[TILE];
    /** One row's worth of per-column values (a bias row, column sums); grown on demand. */
    private double[] row = new double[TILE];

    double[] row(int cols) {
        if (row.length < cols) {
            row = new double[cols];
        }
        return row;
    }

    /** Rows per tile for rows of {@code cols} columns (0 when one row does not fit: segments). */
    static int rowsPerTile(int cols) {
        return cols == 0 ? SPAN : cols > TILE ? 0 : Math.max(1, SPAN / cols);
    }

    // ---------------------------------------------------------------- kernels and drivers

    /** One kernel over a range of units (elements or rows); its operands are in its fields. */
    abstract static class Kernel {
        private final long minSplit;

        Kernel(long minSplit) {
            this.minSplit = minSplit;
        }

        /** Elements from which a call may run on two threads ({@link CpuSplit}); reductions never do. */
        long minSplit() {
            return minSplit;
        }

        /** Elements per unit (1, or the columns of a row kernel). */
        int width() {
            return 1;
        }

        /** Runs the kernel over units [lo, hi) with {@code l}'s tiles. */
        abstract void run(CpuLoops l, int lo, int hi);
    }

    /** A kernel over elements: the driver hands it [j, j + m) a tile at a time. */
    abstract static class Flat extends Kernel {
        Flat(long minSplit) {
            super(minSplit);
        }

        @Override
        final void run(CpuLoops l, int lo, int hi) {
            begin(l);
            for (int j = lo; j < hi; j += SPAN) {
                tile(l, j, Math.min(SPAN, hi - j));
            }
        }

        /** Before the first tile (on each thread). */
        void begin(CpuLoops l) {
        }

        abstract void tile(CpuLoops l, int j, int m);
    }

    /**
     * A kernel over rows of {@link #cols} columns: {@link #begin}, then whole rows a tile at a
     * time, or each row wider than a tile by {@link #wideRow} (default: segments of a tile),
     * then {@link #end}.
     */
    abstract static class Rows extends Kernel {
        int cols;

        Rows(long minSplit) {
            super(minSplit);
        }

        @Override
        final int width() {
            return cols;
        }

        @Override
        final void run(CpuLoops l, int r0, int r1) {
            if (cols == 0) {
                return;
            }
            begin(l);
            int per = rowsPerTile(cols);
            if (per > 0) {
                for (int r = r0; r < r1; r += per) {
                    tile(l, r * cols, 0, cols, Math.min(per, r1 - r));
                }
            } else {
                for (int r = r0; r < r1; r++) {
                    wideRow(l, r);
                }
            }
            end(l);
        }

        void begin(CpuLoops l) {
        }

        void end(CpuLoops l) {
        }

        /** Row {@code r}, wider than a tile: by default in segments of a tile. */
        void wideRow(CpuLoops l, int r) {
            for (int c0 = 0; c0 < cols; c0 += TILE) {
                tile(l, r * cols + c0, c0, Math.min(TILE, cols - c0), 1);
            }
        }

        /** {@code nr} rows of columns [c0, c0 + width), starting at element {@code at} of the block. */
        abstract void tile(CpuLoops l, int at, int c0, int width, int nr);
    }

    /** The last step of a bias tile: runs on the biased tile {@code zt} (elements [j, j + m)) while it is in cache. */
    interface AfterBias {
        void afterBias(CpuLoops l, double[] zt, int j, int m);
    }

    // ---------------------------------------------------------------- flat kernels

    /** y ← β·y + a·x (x null: y ← β·y + a, or a when β = 0); also fill and axpby. */
    static final class Scale extends Flat {
        private double a;
        private DoubleBuffer x;
        private int xo;
        private double beta;
        private DoubleBuffer y;
        private int yo;

        Scale() {
            super(CpuSplit.MIN_SPLIT_ARITHMETIC);
        }

        Scale set(double av, DoubleBuffer xb, int xoff, double be, DoubleBuffer yb, int yoff) {
            a = av;
            x = xb;
            xo = xoff;
            beta = be;
            y = yb;
            yo = yoff;
            return this;
        }

        @Override
        void begin(CpuLoops l) {
            if (x == null && beta == 0.0) {
                java.util.Arrays.fill(l.t1, a); // a fill: the tile of a's, once
            }
        }

        @Override
        void tile(CpuLoops l, int j, int m) {
            double[] xt = l.t0;
            double[] yt = l.t1;
            if (x == null) {
                if (beta != 0.0) {
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

    /** y ← f(x), and (d1 not null) d1 ← f'(x), d2 ← f''(x). */
    static final class Unary extends Flat implements AfterBias {
        private UnaryFn f;
        private int p;
        private DoubleBuffer x;
        private int xo;
        private DoubleBuffer y;
        private int yo;
        private DoubleBuffer d1;
        private int d1o;
        private DoubleBuffer d2;
        private int d2o;

        Unary() {
            super(CpuSplit.MIN_SPLIT);
        }

        Unary set(UnaryFn fn, int pp, DoubleBuffer xb, int xoff, DoubleBuffer yb, int yoff,
                  DoubleBuffer d1b, int d1off, DoubleBuffer d2b, int d2off) {
            f = fn;
            p = pp;
            x = xb;
            xo = xoff;
            y = yb;
            yo = yoff;
            d1 = d1b;
            d1o = d1off;
            d2 = d2b;
            d2o = d2off;
            return this;
        }

        @Override
        void tile(CpuLoops l, int j, int m) {
            x.get(xo + j, l.t0, 0, m);
            afterBias(l, l.t0, j, m);
        }

        /** The activation of a bias tile: {@code zt} holds x's elements [j, j + m). */
        @Override
        public void afterBias(CpuLoops l, double[] zt, int j, int m) {
            if (d1 == null) {
                f.eval(p, zt, l.t1, null, null, m); // the table's own loop on the tile
                y.put(yo + j, l.t1, 0, m);
            } else {
                f.eval(p, zt, l.t1, l.t2, l.t3, m);
                y.put(yo + j, l.t1, 0, m);
                d1.put(d1o + j, l.t2, 0, m);
                d2.put(d2o + j, l.t3, 0, m);
            }
        }
    }

    /** z ← β·z + α·x∘y. */
    static final class Mul extends Flat implements AfterBias {
        private double alpha;
        private DoubleBuffer x;
        private int xo;
        private DoubleBuffer y;
        private int yo;
        private double beta;
        private DoubleBuffer z;
        private int zo;

        Mul() {
            super(CpuSplit.MIN_SPLIT_ARITHMETIC);
        }

        Mul set(double al, DoubleBuffer xb, int xoff, DoubleBuffer yb, int yoff, double be, DoubleBuffer zb, int zoff) {
            alpha = al;
            x = xb;
            xo = xoff;
            y = yb;
            yo = yoff;
            beta = be;
            z = zb;
            zo = zoff;
            return this;
        }

        @Override
        void tile(CpuLoops l, int j, int m) {
            x.get(xo + j, l.t0, 0, m);
            y.get(yo + j, l.t1, 0, m);
            product(l, l.t0, l.t1, j, m);
        }

        /** After a bias tile: {@code zt} holds y's elements [j, j + m) (z ← β·z + α·x∘(z + b)). */
        @Override
        public void afterBias(CpuLoops l, double[] zt, int j, int m) {
            x.get(xo + j, l.t1, 0, m);
            product(l, l.t1, zt, j, m);
        }

        private void product(CpuLoops l, double[] xt, double[] yt, int j, int m) {
            double[] zt = l.t2;
            double alpha = this.alpha;
            double beta = this.beta;
            if (beta == 0.0 && alpha == 1.0) { // 1·x is x to the bit: one multiply fewer per element
                for (int e = 0; e < m; e++) {
                    zt[e] = xt[e] * yt[e];
                }
            } else if (beta == 0.0) {
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

    /** z ← β·z + a∘x + b∘y. */
    static final class Mul2 extends Flat {
        private DoubleBuffer a;
        private int ao;
        private DoubleBuffer x;
        private int xo;
        private DoubleBuffer b;
        private int bo;
        private DoubleBuffer y;
        private int yo;
        private double beta;
        private DoubleBuffer z;
        private int zo;

        Mul2() {
            super(CpuSplit.MIN_SPLIT_ARITHMETIC);
        }

        Mul2 set(DoubleBuffer ab, int aoff, DoubleBuffer xb, int xoff, DoubleBuffer bb, int boff,
                 DoubleBuffer yb, int yoff, double be, DoubleBuffer zb, int zoff) {
            a = ab;
            ao = aoff;
            x = xb;
            xo = xoff;
            b = bb;
            bo = boff;
            y = yb;
            yo = yoff;
            beta = be;
            z = zb;
            zo = zoff;
            return this;
        }

        @Override
        void tile(CpuLoops l, int j, int m) {
            double[] at = l.t0;
            double[] xt = l.t1;
            double[] bt = l.t2;
            double[] yt = l.t3;
            double[] zt = l.t4;
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

    /** Σ_j x[j] in order (a reduction: one thread); the result in {@link #sum}. */
    static final class Sum extends Flat {
        private DoubleBuffer x;
        private int xo;
        double sum;

        Sum() {
            super(Long.MAX_VALUE);
        }

        Sum set(DoubleBuffer xb, int xoff) {
            x = xb;
            xo = xoff;
            sum = 0.0;
            return this;
        }

        @Override
        void tile(CpuLoops l, int j, int m) {
            double[] xt = l.t0;
            x.get(xo + j, xt, 0, m);
            double acc = sum;
            for (int e = 0; e < m; e++) {
                acc += xt[e];
            }
            sum = acc;
        }
    }

    // ---------------------------------------------------------------- row kernels

    /**
     * z[r,c] ← z[r,c] + α·b[c]; then (when {@code then} is not null) its step on the same tile
     * while it is in cache: the activation and its derivatives ({@link Unary}), or y ← 1·d∘z ({@link Mul}).
     */
    static final class BiasRows extends Rows {
        private double alpha;
        private DoubleBuffer b;
        private int bo;
        private DoubleBuffer z;
        private int zo;
        private AfterBias then;
        private boolean transcendental;

        BiasRows() {
            super(CpuSplit.MIN_SPLIT_ARITHMETIC);
        }

        BiasRows set(int c, double al, DoubleBuffer bb, int boff, DoubleBuffer zb, int zoff, AfterBias next) {
            cols = c;
            alpha = al;
            b = bb;
            bo = boff;
            z = zb;
            zo = zoff;
            then = next;
            transcendental = next instanceof Unary;
            return this;
        }

        @Override
        long minSplit() {
            return transcendental ? CpuSplit.MIN_SPLIT : CpuSplit.MIN_SPLIT_ARITHMETIC;
        }

        /**
         * Whole rows: the bias row repeated down a tile's worth of rows into {@code t4}, so a
         * tile adds it in one flat loop that vectorizes (a loop per row of a dozen columns did
         * not: 1.9 against ~1.4 ns per element for the bias and product of a 5000×12 layer).
         */
        @Override
        void begin(CpuLoops l) {
            if (cols <= TILE) {
                double[] rep = l.t4;
                b.get(bo, rep, 0, cols);
                int m = rowsPerTile(cols) * cols;
                for (int e = cols; e < m; e++) {
                    rep[e] = rep[e - cols];
                }
            }
        }

        @Override
        void tile(CpuLoops l, int at, int c0, int width, int nr) {
            double[] zt = l.t0;
            double[] bt = l.t4; // the repeated bias row, or a wide row's segment of it
            if (width < cols) {
                b.get(bo + c0, bt, 0, width);
            }
            double al = alpha;
            int m = nr * width;
            z.get(zo + at, zt, 0, m);
            if (al == 1.0) { // 1·b is b to the bit: one multiply fewer per element
                for (int e = 0; e < m; e++) {
                    zt[e] = zt[e] + bt[e];
                }
            } else {
                for (int e = 0; e < m; e++) {
                    zt[e] = zt[e] + al * bt[e];
                }
            }
            z.put(zo + at, zt, 0, m);
            if (then != null) {
                then.afterBias(l, zt, at, m);
            }
        }
    }

    /** y[c] ← (β = 0 ? 0 : β·y[c]) then y[c] += α·x[r,c] for every row r in order (a reduction: one thread). */
    static final class ColumnSums extends Rows {
        private double alpha;
        private DoubleBuffer x;
        private int xo;
        private double beta;
        private DoubleBuffer y;
        private int yo;

        ColumnSums() {
            super(Long.MAX_VALUE);
        }

        ColumnSums set(int c, double al, DoubleBuffer xb, int xoff, double be, DoubleBuffer yb, int yoff) {
            cols = c;
            alpha = al;
            x = xb;
            xo = xoff;
            beta = be;
            y = yb;
            yo = yoff;
            return this;
        }

        @Override
        void begin(CpuLoops l) {
            double[] acc = l.row(cols);
            if (beta == 0.0) {
                java.util.Arrays.fill(acc, 0, cols, 0.0);
            } else {
                y.get(yo, acc, 0, cols);
                for (int c = 0; c < cols; c++) {
                    acc[c] = beta * acc[c];
                }
            }
        }

        /**
         * Strips of columns summed down the tile in registers (eight, then four, then one at a
         * time): each column still adds its rows in row order, so the sums are bitwise those of a
         * row-by-row loop, without a store and reload of every running sum at every row.
         */
        @Override
        void tile(CpuLoops l, int at, int c0, int width, int nr) {
            double[] acc = l.row;
            double[] xt = l.t0;
            x.get(xo + at, xt, 0, nr * width);
            final double a = alpha;
            int c = 0;
            for (; c + 8 <= width; c += 8) {
                int k = c0 + c;
                double s0 = acc[k];
                double s1 = acc[k + 1];
                double s2 = acc[k + 2];
                double s3 = acc[k + 3];
                double s4 = acc[k + 4];
                double s5 = acc[k + 5];
                double s6 = acc[k + 6];
                double s7 = acc[k + 7];
                for (int q = 0, i = c; q < nr; q++, i += width) {
                    s0 = s0 + a * xt[i];
                    s1 = s1 + a * xt[i + 1];
                    s2 = s2 + a * xt[i + 2];
                    s3 = s3 + a * xt[i + 3];
                    s4 = s4 + a * xt[i + 4];
                    s5 = s5 + a * xt[i + 5];
                    s6 = s6 + a * xt[i + 6];
                    s7 = s7 + a * xt[i + 7];
                }
                acc[k] = s0;
                acc[k + 1] = s1;
                acc[k + 2] = s2;
                acc[k + 3] = s3;
                acc[k + 4] = s4;
                acc[k + 5] = s5;
                acc[k + 6] = s6;
                acc[k + 7] = s7;
            }
            for (; c + 4 <= width; c += 4) {
                int k = c0 + c;
                double s0 = acc[k];
                double s1 = acc[k + 1];
                double s2 = acc[k + 2];
                double s3 = acc[k + 3];
                for (int q = 0, i = c; q < nr; q++, i += width) {
                    s0 = s0 + a * xt[i];
                    s1 = s1 + a * xt[i + 1];
                    s2 = s2 + a * xt[i + 2];
                    s3 = s3 + a * xt[i + 3];
                }
                acc[k] = s0;
                acc[k + 1] = s1;
                acc[k + 2] = s2;
                acc[k + 3] = s3;
            }
            for (; c < width; c++) {
                double s0 = acc[c0 + c];
                for (int q = 0, i = c; q < nr; q++, i += width) {
                    s0 = s0 + a * xt[i];
                }
                acc[c0 + c] = s0;
            }
        }

        @Override
        void end(CpuLoops l) {
            y.put(yo, l.row, 0, cols);
        }
    }

    /** dp ← β·dp + α·P∘(dz − rowsum(P∘dz)·1ᵀ) (P not offset by block); rows wider than a tile take the scalar path. */
    /**
     * The softmax cross-entropy's tangent-of-VJP in one pass over the rows
     * ({@link dev.morse.backend.Backend#softmaxCeTvjp}): out ← (β·out + a1·G) + a2·(P·(Ż − s)),
     * s = rowsum(P∘Ż); the same operations in the same order as the softmax JVP into a
     * scratch followed by two {@link Scale} passes, which it replaced (bitwise equal).
     */
    static final class SoftmaxCeTvjp extends Rows {
        private DoubleBuffer p;
        private int po;
        private DoubleBuffer g;
        private int go;
        private DoubleBuffer dz;
        private int dzo;
        private double a1;
        private double a2;
        private double beta;
        private DoubleBuffer out;
        private int oo;

        SoftmaxCeTvjp() {
            super(CpuSplit.MIN_SPLIT_ARITHMETIC);
        }

        SoftmaxCeTvjp set(int c, DoubleBuffer pb, int poff, DoubleBuffer gb, int goff, DoubleBuffer dzb, int dzoff,
                          double aG, double aP, double be, DoubleBuffer ob, int ooff) {
            cols = c;
            p = pb;
            po = poff;
            g = gb;
            go = goff;
            dz = dzb;
            dzo = dzoff;
            a1 = aG;
            a2 = aP;
            beta = be;
            out = ob;
            oo = ooff;
            return this;
        }

        @Override
        void wideRow(CpuLoops l, int r) {
            int pi = po + r * cols;
            int gi = go + r * cols;
            int zi = dzo + r * cols;
            int oi = oo + r * cols;
            double s = 0.0;
            for (int c = 0; c < cols; c++) {
                s += p.get(pi + c) * dz.get(zi + c);
            }
            for (int c = 0; c < cols; c++) {
                double pd = p.get(pi + c) * (dz.get(zi + c) - s);
                double v = beta == 0.0 ? a1 * g.get(gi + c) : beta * out.get(oi + c) + a1 * g.get(gi + c);
                out.put(oi + c, v + a2 * pd);
            }
        }

        @Override
        void tile(CpuLoops l, int at, int c0, int width, int nr) {
            double[] pt = l.t0;
            double[] zt = l.t1;
            double[] gt = l.t2;
            double[] ot = l.t3;
            int m = nr * cols;
            p.get(po + at, pt, 0, m);
            dz.get(dzo + at, zt, 0, m);
            g.get(go + at, gt, 0, m);
            if (beta != 0.0) {
                out.get(oo + at, ot, 0, m);
            }
            double[] st = l.t4;
            rowDots(pt, zt, st, cols, nr);
            if (beta == 0.0) {
                for (int e = 0; e < m; e++) {
                    ot[e] = a1 * gt[e] + a2 * (pt[e] * (zt[e] - st[e]));
                }
            } else {
                for (int e = 0; e < m; e++) {
                    ot[e] = (beta * ot[e] + a1 * gt[e]) + a2 * (pt[e] * (zt[e] - st[e]));
                }
            }
            out.put(oo + at, ot, 0, m);
        }

        /**
         * st[e] ← s_q = Σ_c p[q,c]·z[q,c] (c in order) for every element e of row q: four rows'
         * sums at a time, so four addition chains run side by side where one row's waited on
         * each addition (each sum in the same order as one row at a time, so bitwise the same),
         * then spread along their rows so the update above is one flat loop that vectorizes.
         * Measured on a 5000×10 block (one thread): 2.4 against ~1.5 ns per element.
         */
        private static void rowDots(double[] pt, double[] zt, double[] st, int cols, int nr) {
            int q = 0;
            for (; q + 4 <= nr; q += 4) {
                int b0 = q * cols;
                int b1 = b0 + cols;
                int b2 = b1 + cols;
                int b3 = b2 + cols;
                double s0 = 0.0;
                double s1 = 0.0;
                double s2 = 0.0;
                double s3 = 0.0;
                for (int c = 0; c < cols; c++) {
                    s0 += pt[b0 + c] * zt[b0 + c];
                    s1 += pt[b1 + c] * zt[b1 + c];
                    s2 += pt[b2 + c] * zt[b2 + c];
                    s3 += pt[b3 + c] * zt[b3 + c];
                }
                for (int c = 0; c < cols; c++) {
                    st[b0 + c] = s0;
                    st[b1 + c] = s1;
                    st[b2 + c] = s2;
                    st[b3 + c] = s3;
                }
            }
            for (; q < nr; q++) {
                int b0 = q * cols;
                double s0 = 0.0;
                for (int c = 0; c < cols; c++) {
                    s0 += pt[b0 + c] * zt[b0 + c];
                }
                for (int c = 0; c < cols; c++) {
                    st[b0 + c] = s0;
                }
            }
        }
    }

    /**
     * Softmax and its cross-entropy gradient, rows independent (split across the threads like
     * any row kernel): P ← softmax(Z), G ← P − onehot, and row r's loss term
     * max_r + log Σ exp − z[r, y_r] into {@link #rowLoss}; {@link #total} then adds the terms
     * in row order on one thread, so the loss is bitwise that of a single sequential loop.
     */
    static final class SoftmaxCrossEntropy extends Rows {
        private DoubleBuffer z;
        private int zo;
        private int[] lab;
        private DoubleBuffer p;
        private int po;
        private DoubleBuffer g;
        private int go;
        private int rows;
        /** Each row's loss term (grown once to the largest row count seen). */
        private double[] rowLoss = new double[0];

        SoftmaxCrossEntropy() {
            super(CpuSplit.MIN_SPLIT);
        }

        SoftmaxCrossEntropy set(int nRows, int c, DoubleBuffer zb, int zoff, int[] labels, DoubleBuffer pb, int poff,
                                DoubleBuffer gb, int goff) {
            rows = nRows;
            if (rowLoss.length < nRows) {
                rowLoss = new double[nRows];
            }
            cols = c;
            z = zb;
            zo = zoff;
            lab = labels;
            p = pb;
            po = poff;
            g = gb;
            go = goff;
            return this;
        }

        /** Σ_r of the row terms in row order, after {@code run}. */
        double total() {
            double total = 0.0;
            for (int r = 0; r < rows; r++) {
                total += rowLoss[r];
            }
            return total;
        }

        @Override
        void wideRow(CpuLoops l, int r) {
            int zi = zo + r * cols;
            int pi = po + r * cols;
            int gi = go + r * cols;
            int y = lab[r];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, z.get(zi + c));
            }
            double sum = 0.0;
            for (int c = 0; c < cols; c++) {
                double e = Math.exp(z.get(zi + c) - max);
                p.put(pi + c, e);
                sum += e;
            }
            double inv = 1.0 / sum;
            for (int c = 0; c < cols; c++) {
                double pr = p.get(pi + c) * inv;
                p.put(pi + c, pr);
                g.put(gi + c, c == y ? pr - 1.0 : pr);
            }
            rowLoss[r] = max + Math.log(sum) - z.get(zi + y);
        }

        @Override
        void tile(CpuLoops l, int at, int c0, int width, int nr) {
            double[] zt = l.t0;
            double[] pt = l.t1;
            double[] gt = l.t2;
            int m = nr * cols;
            int r = at / cols;
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
                rowLoss[r + q] = max + Math.log(sum) - zt[base + yl];
            }
            p.put(po + at, pt, 0, m);
            g.put(go + at, gt, 0, m);
        }
    }
}
