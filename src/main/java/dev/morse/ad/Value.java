package dev.morse.ad;

import dev.morse.ad.prim.Add;
import dev.morse.ad.prim.AddBias;
import dev.morse.ad.prim.AxisSum;
import dev.morse.ad.prim.Broadcast;
import dev.morse.ad.prim.L2;
import dev.morse.ad.prim.MatMul;
import dev.morse.ad.prim.Max;
import dev.morse.ad.prim.Mse;
import dev.morse.ad.prim.Mul;
import dev.morse.ad.prim.Reshape;
import dev.morse.ad.prim.Scale;
import dev.morse.ad.prim.SoftmaxCrossEntropy;
import dev.morse.ad.prim.Sum;
import dev.morse.ad.prim.Transpose;
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

    /** The tracer recording this value (for {@link Tracer#apply} in user code). */
    public Tracer tracer() {
        return tracer;
    }

    /** this + b, broadcasting 1×1, 1×C and R×1 operands (see {@link #broadcastTo}). */
    public Value add(Value b) {
        Shape s = broadcastShape("add", b);
        return tracer.record(Add.add(), broadcastTo(s), b.broadcastTo(s));
    }

    /** this − b, broadcasting like {@link #add}. */
    public Value sub(Value b) {
        Shape s = broadcastShape("sub", b);
        return tracer.record(Add.sub(), broadcastTo(s), b.broadcastTo(s));
    }

    /** Elementwise product, broadcasting like {@link #add}. */
    public Value mul(Value b) {
        Shape s = broadcastShape("mul", b);
        return tracer.record(new Mul(), broadcastTo(s), b.broadcastTo(s));
    }

    /** Elementwise max(this, b): not differentiable where they tie, flagged as non-smooth (like relu). */
    public Value max(Value b) {
        Shape s = broadcastShape("max", b);
        return tracer.record(new Max(), broadcastTo(s), b.broadcastTo(s));
    }

    /** |x| = max(x, −x), exact; non-smooth at 0. */
    public Value abs() {
        return max(scale(-1.0));
    }

    /** Elementwise √x (the table's {@link UnaryFn#SQRT}). */
    public Value sqrt() {
        return apply(UnaryFn.SQRT);
    }

    /** The same row-major elements as a rows×cols matrix. */
    public Value reshape(int rows, int cols) {
        return tracer.record(new Reshape(new Shape(rows, cols)), this);
    }

    /** xᵀ. */
    public Value transpose() {
        return tracer.record(new Transpose(), this);
    }

    /**
     * This value repeated along its unit dimensions to shape s (a 1×1, 1×C or R×1 value to
     * R×C); itself when it already has shape s.
     */
    public Value broadcastTo(Shape s) {
        return shape.equals(s) ? this : tracer.record(new Broadcast(s), this);
    }

    /** Row-wise sums: an R×1 column. */
    public Value rowSums() {
        return tracer.record(new AxisSum(true), this);
    }

    /** Column-wise sums: a 1×C row. */
    public Value columnSums() {
        return tracer.record(new AxisSum(false), this);
    }

    /**
     * The rows index[0], index[1], … of this R×C value, as an index.length×C matrix: the
     * product S·x with S the constant one-hot selection matrix (exact; costs
     * index.length·R·C multiply-adds, so it suits gathers from tables of moderate R).
     */
    public Value gatherRows(int... index) {
        int rows = shape.rows();
        double[] sel = new double[index.length * rows];
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= rows) {
                throw new IllegalArgumentException("gatherRows: index " + index[i] + " at position " + i
                        + " is outside the " + rows + " rows of " + shape);
            }
            sel[i * rows + index[i]] = 1.0;
        }
        return tracer.data("gather", sel, index.length, rows).matmul(this);
    }

    private Shape broadcastShape(String op, Value b) {
        Shape t = b.shape;
        int r = shape.rows() == t.rows() || t.rows() == 1 ? shape.rows() : (shape.rows() == 1 ? t.rows() : -1);
        int c = shape.cols() == t.cols() || t.cols() == 1 ? shape.cols() : (shape.cols() == 1 ? t.cols() : -1);
        if (r < 0 || c < 0) {
            throw new IllegalArgumentException(op + ": shapes " + shape + " and " + t
                    + " do not broadcast (each dimension must match or be 1)");
        }
        return new Shape(r, c);
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

    /** this·w + 1·biasᵀ, fused (a dense layer's pre-activation). */
    public Value affine(Value w, Value bias) {
        return tracer.record(new dev.morse.ad.prim.Affine(), this, w, bias);
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

    /** x·Φ(x), Φ the standard normal CDF (exact GELU). */
    public Value gelu() {
        return apply(UnaryFn.GELU);
    }

    /** x for x &gt; 0, eˣ − 1 otherwise; f″ jumps at 0 (flagged non-smooth). */
    public Value elu() {
        return apply(UnaryFn.ELU);
    }

    /** x for x &gt; 0, 0.01·x otherwise; non-smooth at 0. */
    public Value leakyRelu() {
        return apply(UnaryFn.LEAKY_RELU);
    }

    /** λx for x &gt; 0, λα(eˣ − 1) otherwise; non-smooth at 0. */
    public Value selu() {
        return apply(UnaryFn.SELU);
    }

    /** x·tanh(softplus(x)). */
    public Value mish() {
        return apply(UnaryFn.MISH);
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
