package dev.morse.ad.prim;

import dev.morse.ad.Exec;
import dev.morse.ad.Primitive;
import dev.morse.ad.Shape;

/** A constant (data, targets, a scalar): uploaded once when the plan is compiled. */
public final class Data extends Primitive {
    public final String label;
    public final int index;
    public final Shape out;

    public Data(String label, int index, Shape out) {
        this.label = label;
        this.index = index;
        this.out = out;
    }

    @Override
    public String name() {
        return "data(" + label + ")";
    }

    @Override
    public Shape shape(Shape[] in) {
        return out;
    }

    @Override
    public void forward(Exec e) {
        // uploaded at compile time
    }
}
