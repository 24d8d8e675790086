package dev.morse.ad.prim;

import dev.morse.ad.Primitive;
import dev.morse.ad.Shape;

/** The flat parameter vector θ (1×N): the root every parameter view slices. Its buffers are the plan's θ, gradient, V and HV. */
public final class Theta extends Primitive {
    private final int n;

    public Theta(int n) {
        this.n = n;
    }

    @Override
    public String name() {
        return "theta";
    }

    @Override
    public Shape shape(Shape[] in) {
        return new Shape(1, n);
    }
}
