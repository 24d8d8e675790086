package dev.morse.ad;

import dev.morse.ad.prim.Add;
import dev.morse.ad.prim.AddBias;
import dev.morse.ad.prim.L2;
import dev.morse.ad.prim.MatMul;
import dev.morse.ad.prim.Mse;
import dev.morse.ad.prim.Mul;
import dev.morse.ad.prim.Scale;
import dev.morse.ad.prim.SoftmaxCrossEntropy;
import dev.morse.ad.prim.Sum;
import dev.morse.ad.prim.Unary;
import dev.morse.backend.UnaryFn;

/** A symbolic value being traced: every method records one primitive and returns its result. */
public final class Value {
    final Tracer tracer;
    final int id;
    private final Shape shape;

    Value(Tracer tracer, int id, Shape shape) {
        this.tracer = tracer;
        this.id = id;
        this.shape = shape;
    }

    public Shape shape() {
        return shape;
    }

    public Value add(Value b) {
        return tracer.record(Add.add(), this, b);
    }

    public Value sub(Value b) {
        return tracer.record(Add.sub(), this, b);
    }

    /** Elementwise product. */
    public Value mul(Value b) {
        return tracer.record(new Mul(), this, b);
    }

    /** c·x. */
    public Value scale(double c) {
        return tracer.record(new Scale(c, 0.0), this);
    }

    /** x + c. */
    public Value plus(double c) {
        return tracer.record(new Scale(1.0, c), this);
    }

    public Value matmul(Value b) {
        return matmul(b, false, false);
    }

    /** op(this)·op(b) with optional transposes. */
    public Value matmul(Value b, boolean transThis, boolean transB) {
        return tracer.record(new MatMul(transThis, transB), this, b);
    }

    /** this + 1·biasᵀ: a 1×cols bias row added to every row. */
    public Value addBias(Value bias) {
        return tracer.record(new AddBias(), this, bias);
    }

    public Value sum() {
        return tracer.record(new Sum(false), this);
    }

    public Value mean() {
        return tracer.record(new Sum(true), this);
    }

    public Value apply(UnaryFn f) {
        if (f == UnaryFn.POWI) {
            throw new IllegalArgumentException("use pow(p) for integer powers");
        }
        return tracer.record(new Unary(f, 0), this);
    }

    public Value square() {
        return apply(UnaryFn.SQUARE);
    }

    /** Elementwise integer power x^p. */
    public Value pow(int p) {
        return tracer.record(new Unary(UnaryFn.POWI, p), this);
    }

    public Value exp() {
        return apply(UnaryFn.EXP);
    }

    public Value log() {
        return apply(UnaryFn.LOG);
    }

    public Value tanh() {
        return apply(UnaryFn.TANH);
    }

    public Value sigmoid() {
        return apply(UnaryFn.SIGMOID);
    }

    /** x·σ(x). */
    public Value swish() {
        return apply(UnaryFn.SWISH);
    }

    public Value softplus() {
        return apply(UnaryFn.SOFTPLUS);
    }

    /** max(0, x): not twice differentiable at 0, flagged as non-smooth. */
    public Value relu() {
        return apply(UnaryFn.RELU);
    }

    public Value identity() {
        return apply(UnaryFn.IDENTITY);
    }

    /** Mean over all entries of (this − target)². */
    public Value mse(Value target) {
        return tracer.record(new Mse(), this, target);
    }

    /** Mean over rows of the softmax cross-entropy of these logits against integer labels. */
    public Value softmaxCrossEntropy(Labels y) {
        if (y.tracer != tracer) {
            throw new IllegalArgumentException("softmaxCrossEntropy: labels come from another tracer");
        }
        if (y.length != shape.rows()) {
            throw new IllegalArgumentException("softmaxCrossEntropy: " + y.length + " labels for logits of shape "
                    + shape + " (one label per row expected)");
        }
        return tracer.record(new SoftmaxCrossEntropy(y.index), this);
    }

    /** λ·‖this‖². */
    public Value l2(double lambda) {
        return tracer.record(new L2(lambda), this);
    }
}
