package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.Primitive;
import dev.morse.ad.Shape;

/**
 * C = op(A)·op(B), op = optional transpose. Rules (DESIGN.md):
 * Ċ = op(Ȧ)op(B) + op(A)op(Ḃ);  Ā = C̄op(B)ᵀ, B̄ = op(A)ᵀC̄ (transposed back when op is);
 * (Ā)˙ = (C̄)˙op(B)ᵀ + C̄op(Ḃ)ᵀ;  (B̄)˙ = op(Ȧ)ᵀC̄ + op(A)ᵀ(C̄)˙.
 * With k tangent blocks, a product whose left factor is the stacked block and is not
 * transposed runs as one gemm over k·m rows; the rest loop over blocks.
 */
public final class MatMul extends Primitive {
    private final boolean ta;
    private final boolean tb;

    public MatMul(boolean ta, boolean tb) {
        this.ta = ta;
        this.tb = tb;
    }

    @Override
    public String name() {
        return "matmul";
    }

    @Override
    public Shape shape(Shape[] in) {
        int m = ta ? in[0].cols() : in[0].rows();
        int ka = ta ? in[0].rows() : in[0].cols();
        int kb = tb ? in[1].cols() : in[1].rows();
        int n = tb ? in[1].rows() : in[1].cols();
        if (ka != kb) {
            throw shapeError("inner dimensions differ: op(A) is " + m + "×" + ka + ", op(B) is " + kb + "×" + n
                    + (ta || tb ? " (transposes " + ta + ", " + tb + ")" : ""), in[0], in[1]);
        }
        return new Shape(m, n);
    }

    // op(A)·op(B) into C; blocks > 1 stacks A's blocks as rows (requires !ta).
    private void prod(Exec e, int blocks, Buf a, long ao, Buf b, long bo, double beta, Buf c, long co) {
        int m = ta ? a.cols : a.rows;
        int k = ta ? a.rows : a.cols;
        int n = c.cols;
        e.b.gemm(ta, tb, blocks * m, n, k, 1.0, a.a, ao, a.cols, b.a, bo, b.cols, beta, c.a, co, c.cols);
    }

    // Ā (+)= adjoint of A given C̄ and B; blocks > 1 stacks C̄'s blocks (requires !ta).
    private void adjA(Exec e, int blocks, Buf cbar, long co, Buf b, long bo, double beta, Buf abar, long ao) {
        int m = cbar.rows;
        int n = cbar.cols;
        int k = ta ? abar.rows : abar.cols;
        if (!ta) {
            // Ā (m×k) = C̄ (m×n) · op(B)ᵀ (n×k)
            e.b.gemm(false, !tb, blocks * m, k, n, 1.0, cbar.a, co, n, b.a, bo, b.cols, beta, abar.a, ao, abar.cols);
        } else {
            // Ā (k×m) = op(B) (k×n) · C̄ᵀ (n×m)
            e.b.gemm(tb, true, k, m, n, 1.0, b.a, bo, b.cols, cbar.a, co, n, beta, abar.a, ao, abar.cols);
        }
    }

    // B̄ (+)= adjoint of B given A and C̄.
    private void adjB(Exec e, Buf a, long ao, Buf cbar, long co, double beta, Buf bbar, long bo) {
        int m = cbar.rows;
        int n = cbar.cols;
        int k = ta ? a.rows : a.cols;
        if (!tb) {
            // B̄ (k×n) = op(A)ᵀ (k×m) · C̄ (m×n)
            e.b.gemm(!ta, false, k, n, m, 1.0, a.a, ao, a.cols, cbar.a, co, n, beta, bbar.a, bo, bbar.cols);
        } else {
            // B̄ (n×k) = C̄ᵀ (n×m) · op(A) (m×k)
            e.b.gemm(true, ta, n, k, m, 1.0, cbar.a, co, n, a.a, ao, a.cols, beta, bbar.a, bo, bbar.cols);
        }
    }

    @Override
    public void forward(Exec e) {
        prod(e, 1, e.x(0), e.x(0).off, e.x(1), e.x(1).off, 0.0, e.y(), e.y().off);
    }

    @Override
    public void jvp(Exec e, int k) {
        Buf a = e.x(0);
        Buf b = e.x(1);
        Buf c = e.ydot();
        double beta = 0.0;
        if (e.active(0)) {
            Buf ad = e.xdot(0);
            if (!ta) {
                prod(e, k, ad, ad.off, b, b.off, 0.0, c, c.off);
            } else {
                for (int j = 0; j < k; j++) {
                    prod(e, 1, ad, ad.block(j), b, b.off, 0.0, c, c.block(j));
                }
            }
            beta = 1.0;
        }
        if (e.active(1)) {
            Buf bd = e.xdot(1);
            for (int j = 0; j < k; j++) {
                prod(e, 1, a, a.off, bd, bd.block(j), beta, c, c.block(j));
            }
        }
    }

    @Override
    public void vjp(Exec e) {
        Buf cbar = e.ybar();
        if (e.active(0)) {
            Buf abar = e.xbar(0);
            adjA(e, 1, cbar, cbar.off, e.x(1), e.x(1).off, e.beta(0), abar, abar.off);
        }
        if (e.active(1)) {
            Buf bbar = e.xbar(1);
            adjB(e, e.x(0), e.x(0).off, cbar, cbar.off, e.beta(1), bbar, bbar.off);
        }
    }

    @Override
    public void tvjp(Exec e, int k) {
        Buf a = e.x(0);
        Buf b = e.x(1);
        Buf cbar = e.ybar();
        Buf cbd = e.ybardot();
        if (e.active(0)) {
            Buf out = e.xbardot(0);
            // (Ā)˙ = adjA((C̄)˙, B) + adjA(C̄, Ḃ)
            if (!ta) {
                adjA(e, k, cbd, cbd.off, b, b.off, e.tbeta(0), out, out.off);
            } else {
                for (int j = 0; j < k; j++) {
                    adjA(e, 1, cbd, cbd.block(j), b, b.off, e.tbeta(0), out, out.block(j));
                }
            }
            if (e.active(1)) {
                Buf bd = e.xdot(1);
                for (int j = 0; j < k; j++) {
                    adjA(e, 1, cbar, cbar.off, bd, bd.block(j), 1.0, out, out.block(j));
                }
            }
        }
        if (e.active(1)) {
            Buf out = e.xbardot(1);
            // (B̄)˙ = adjB(Ȧ, C̄) + adjB(A, (C̄)˙)
            for (int j = 0; j < k; j++) {
                double beta = e.tbeta(1);
                if (e.active(0)) {
                    Buf ad = e.xdot(0);
                    adjB(e, ad, ad.block(j), cbar, cbar.off, beta, out, out.block(j));
                    beta = 1.0;
                }
                adjB(e, a, a.off, cbd, cbd.block(j), beta, out, out.block(j));
            }
        }
    }
}
