package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.LinearPrimitive;
import dev.morse.ad.Scratch;
import dev.morse.ad.Shape;

/**
 * Row-wise (R×C → R×1) or column-wise (R×C → 1×C) sums: linear, and its transpose is
 * {@link Broadcast}'s expansion back over the summed dimension.
 */
public final class AxisSum extends LinearPrimitive {
    private final boolean rowWise;

    /** rowWise: y_r = Σ_c x_rc (R×1); otherwise y_c = Σ_r x_rc (1×C). */
    public AxisSum(boolean rowWise) {
        this.rowWise = rowWise;
    }

    @Override
    public String name() {
        return rowWise ? "rowSums" : "columnSums";
    }

    @Override
    public Shape shape(Shape[] in) {
        return rowWise ? new Shape(in[0].rows(), 1) : new Shape(1, in[0].cols());
    }

    @Override
    public Scratch[] scratch(Shape[] in, Shape out) {
        return new Scratch[] {new Scratch(in[0].cols(), false)};
    }

    @Override
    protected void map(Exec e, int k, boolean tangent) {
        Buf x = in(e, 0, tangent);
        Buf y = out(e, tangent);
        Broadcast.reduce(e.b, Broadcast.ones(e, tangent), k, x, x.off, 0.0, y, y.off);
    }

    @Override
    protected void transpose(Exec e, int k, boolean tangent) {
        Buf yb = outBar(e, tangent);
        Buf xb = inBar(e, 0, tangent);
        Broadcast.expand(e.b, e.scratch(0), k, yb, yb.off, beta(e, 0, tangent), xb, xb.off);
    }
}
