package dev.morse.nn;

import dev.morse.ad.Program;
import dev.morse.ad.Tracer;
import dev.morse.ad.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A multilayer perceptron as a loss of its flat parameter vector θ. Layer l computes
 * Z_l = A_{l-1}·W_l (+ 1·b_lᵀ), A_l = σ_l(Z_l) with σ_l the hidden layer's activation (one for
 * all, or one per layer) and, at the output, the output activation (identity unless given);
 * rows are examples. θ holds, layer by layer, W_l (fan_in × fan_out, row-major) then b_l.
 * The loss ({@link Loss}, with its {@link Loss.Reduction}) is named once, in the builder.
 *
 * <p>Initialization ({@link #init}): W entries i.i.d. N(0, 1/fan_in) (LeCun normal), biases
 * zero, from {@code java.util.Random(seed)} in θ order, so the same seed gives the same θ.
 */
public final class Mlp {
    /** A layer's view of θ: W at weightOffset (rows = fan_in, cols = fan_out), b at biasOffset or -1. */
    public record Layer(int fanIn, int fanOut, long weightOffset, long biasOffset) {
        public boolean hasBias() {
            return biasOffset >= 0;
        }
    }

    private final int[] widths;
    private final boolean[] bias;
    /** The builder's one activation for every hidden layer, or null when given per layer. */
    private final Activation activation;
    private final List<Activation> hidden;
    private final Activation output;
    private final Loss loss;
    private final Loss.Reduction reduction;
    private final double l2;
    private final List<Layer> layers;
    private final int n;

    private Mlp(int[] widths, boolean[] bias, Activation activation, List<Activation> hidden, Activation output,
                Loss loss, Loss.Reduction reduction, double l2) {
        this.widths = widths;
        this.bias = bias;
        this.activation = activation;
        this.hidden = hidden;
        this.output = output;
        this.loss = loss;
        this.reduction = reduction;
        this.l2 = l2;
        List<Layer> ls = new ArrayList<>();
        long off = 0;
        for (int l = 0; l + 1 < widths.length; l++) {
            long w = off;
            off += (long) widths[l] * widths[l + 1];
            long b = -1;
            if (bias[l]) {
                b = off;
                off += widths[l + 1];
            }
            ls.add(new Layer(widths[l], widths[l + 1], w, b));
        }
        if (off > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("network has " + off + " parameters; at most 2^31-1 supported");
        }
        this.layers = Collections.unmodifiableList(ls);
        this.n = (int) off;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** N, the number of parameters. */
    public int nParams() {
        return n;
    }

    public List<Layer> layers() {
        return layers;
    }

    public int inputs() {
        return widths[0];
    }

    public int outputs() {
        return widths[widths.length - 1];
    }

    /**
     * The hidden activation, when every hidden layer has the same one (always so for a network
     * built with {@link Builder#activation}); per-layer networks: see {@link #activations()}.
     */
    public Activation activation() {
        if (activation != null) {
            return activation;
        }
        for (Activation a : hidden) {
            if (a != hidden.get(0)) {
                throw new IllegalStateException("this MLP has one activation per hidden layer " + hidden
                        + ": use activations()");
            }
        }
        return hidden.get(0);
    }

    /** The activation of each hidden layer, in order. */
    public List<Activation> activations() {
        return hidden;
    }

    /** The output activation ({@link Activation#IDENTITY} unless given). */
    public Activation outputActivation() {
        return output;
    }

    public Loss loss() {
        return loss;
    }

    public Loss.Reduction reduction() {
        return reduction;
    }

    public double l2() {
        return l2;
    }

    /** Widths joined by '-', e.g. 784-64-10. */
    public String widthsString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            sb.append(i == 0 ? "" : "-").append(widths[i]);
        }
        return sb.toString();
    }

    /** LeCun-normal weights, zero biases (see class comment). */
    public double[] init(long seed) {
        return init(seed, 0.0);
    }

    /**
     * LeCun-normal weights as {@link #init(long)} (the same values for the same seed) and
     * biases i.i.d. N(0, biasStd²), drawn in θ order from a second stream seeded from
     * {@code seed}; biasStd = 0 gives zero biases.
     */
    public double[] init(long seed, double biasStd) {
        if (!(biasStd >= 0) || Double.isInfinite(biasStd)) {
            throw new IllegalArgumentException("biasStd must be finite and ≥ 0, got " + biasStd);
        }
        Random r = new Random(seed);
        Random rb = new Random(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
        double[] th = new double[n];
        for (Layer l : layers) {
            double sd = 1.0 / Math.sqrt(l.fanIn());
            for (int i = 0; i < l.fanIn() * l.fanOut(); i++) {
                th[(int) l.weightOffset() + i] = sd * r.nextGaussian();
            }
            if (l.hasBias() && biasStd > 0) {
                for (int j = 0; j < l.fanOut(); j++) {
                    th[(int) l.biasOffset() + j] = biasStd * rb.nextGaussian();
                }
            }
        }
        return th;
    }

    /**
     * The loss this MLP was built with on classification data: inputs x (rows × inputs) and
     * integer labels, plus l2. The loss is named once, in the builder; this is
     * {@link #crossEntropy} for a cross-entropy or binary cross-entropy network and an error for
     * any other.
     */
    public Program program(double[] x, int rows, int[] labels) {
        if (loss == Loss.MSE) {
            throw new IllegalArgumentException("this MLP was built with loss " + loss + ": give targets (double[]), "
                    + "not labels");
        }
        return crossEntropy(x, rows, labels);
    }

    /**
     * The loss this MLP was built with on regression data: inputs x and targets y (rows ×
     * outputs), plus l2; {@link #mse} for an MSE network, {@link #binaryCrossEntropy} for a
     * binary cross-entropy one (targets in [0, 1]) and an error for a cross-entropy one.
     */
    public Program program(double[] x, int rows, double[] y) {
        if (loss == Loss.BCE_WITH_LOGITS) {
            return binaryCrossEntropy(x, rows, y);
        }
        if (loss != Loss.MSE) {
            throw new IllegalArgumentException("this MLP was built with loss " + loss + ": give integer labels "
                    + "(int[]), not targets");
        }
        return mse(x, rows, y);
    }

    /**
     * Adds {@code shift} to every hidden-layer bias of θ, in place (E9: a large negative shift
     * puts every hidden pre-activation far below zero). Throws if a hidden layer has no bias.
     */
    public void shiftHiddenBiases(double[] theta, double shift) {
        if (theta.length != n) {
            throw new IllegalArgumentException("θ has length " + theta.length + ", N = " + n);
        }
        for (int l = 0; l + 1 < layers.size(); l++) {
            if (!layers.get(l).hasBias()) {
                throw new IllegalArgumentException("hidden layer " + (l + 1) + " has no bias to shift");
            }
        }
        for (int l = 0; l + 1 < layers.size(); l++) {
            Layer ly = layers.get(l);
            for (int j = 0; j < ly.fanOut(); j++) {
                theta[(int) ly.biasOffset() + j] += shift;
            }
        }
    }

    /** Traces the network's output (logits or predictions) for inputs x (rows × inputs). */
    public Value forward(Tracer t, Value x) {
        Value a = x;
        for (int l = 0; l < layers.size(); l++) {
            Layer ly = layers.get(l);
            Value w = t.param(ly.weightOffset(), ly.fanIn(), ly.fanOut());
            Value z = ly.hasBias() ? a.affine(w, t.param(ly.biasOffset(), 1, ly.fanOut())) : a.matmul(w);
            if (l + 1 < layers.size()) {
                a = z.apply(hidden.get(l).fn());
            } else {
                a = output == Activation.IDENTITY ? z : z.apply(output.fn());
            }
        }
        return a;
    }

    /**
     * The loss's reduction of a mean over {@code count} terms out of the whole loss's
     * {@code total}: the mean itself (a shard's mean weighted by its share count/total), or
     * count × it for sum.
     */
    private Value reduce(Value mean, long count, long total) {
        if (reduction == Loss.Reduction.SUM) {
            return mean.scale((double) count);
        }
        return count == total ? mean : mean.scale((double) count / total);
    }

    /** The data term plus l2 (only where {@code withL2}: the first shard of a split loss carries it). */
    private Value regularize(Tracer t, Value data, boolean withL2) {
        return withL2 && l2 > 0 ? data.add(t.theta().l2(l2)) : data;
    }

    private Value input(Tracer t, double[] x, int rows) {
        if (x.length != (long) rows * inputs()) {
            throw new IllegalArgumentException("inputs: " + x.length + " values for " + rows + " examples of width "
                    + inputs() + " (" + (long) rows * inputs() + " expected)");
        }
        return t.data("X", x, rows, inputs());
    }

    /**
     * The cross-entropy loss on inputs x (rows × inputs) and integer labels, plus l2: softmax
     * cross-entropy (mean over examples, or sum) for a cross-entropy network; for a binary
     * cross-entropy network, {@link #binaryCrossEntropy} against the one-hot targets of the
     * labels (or, with one output, against the labels 0 and 1 themselves).
     */
    public Program crossEntropy(double[] x, int rows, int[] labels) {
        if (loss == Loss.BCE_WITH_LOGITS) {
            return binaryCrossEntropy(x, rows, targets(labels, rows));
        }
        if (loss != Loss.CROSS_ENTROPY) {
            throw new IllegalStateException("this MLP was built with loss " + loss);
        }
        checkLabels(labels);
        return softmaxCe(x, rows, labels, rows, true);
    }

    private void checkLabels(int[] labels) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= outputs()) {
                throw new IllegalArgumentException("label " + labels[i] + " of example " + i + " is outside [0, "
                        + outputs() + ")");
            }
        }
    }

    /** Softmax cross-entropy on rows of {@code total} (their share of the mean), l2 where asked. */
    private Program softmaxCe(double[] x, int rows, int[] labels, int total, boolean withL2) {
        Tracer t = new Tracer(n);
        Value logits = forward(t, input(t, x, rows));
        return t.program(regularize(t, reduce(logits.softmaxCrossEntropy(t.labels(labels)), rows, total), withL2));
    }

    /** One-hot targets of integer labels (rows × outputs); with one output, the label itself (0 or 1). */
    private double[] targets(int[] labels, int rows) {
        if (labels.length != rows) {
            throw new IllegalArgumentException(labels.length + " labels for " + rows + " examples");
        }
        int c = outputs();
        double[] y = new double[rows * c];
        for (int i = 0; i < rows; i++) {
            int l = labels[i];
            if (c == 1 ? l != 0 && l != 1 : l < 0 || l >= c) {
                throw new IllegalArgumentException("label " + l + " of example " + i + " is outside "
                        + (c == 1 ? "{0, 1} (one output)" : "[0, " + c + ")"));
            }
            y[c == 1 ? i : i * c + l] = c == 1 ? l : 1.0;
        }
        return y;
    }

    /**
     * The binary cross-entropy of the output logits Z against targets T in [0, 1] (rows ×
     * outputs), softplus(Z) − Z∘T summed entry by entry (the stable form of
     * −T·log σ(Z) − (1 − T)·log(1 − σ(Z))), mean over all entries or sum, plus l2.
     */
    public Program binaryCrossEntropy(double[] x, int rows, double[] targets) {
        if (loss != Loss.BCE_WITH_LOGITS) {
            throw new IllegalStateException("this MLP was built with loss " + loss);
        }
        if (targets.length != (long) rows * outputs()) {
            throw new IllegalArgumentException("targets: " + targets.length + " values for " + rows + " examples of "
                    + outputs() + " outputs");
        }
        for (int i = 0; i < targets.length; i++) {
            if (!(targets[i] >= 0.0 && targets[i] <= 1.0)) {
                throw new IllegalArgumentException("target " + targets[i] + " at " + i + " is outside [0, 1]");
            }
        }
        return bce(x, rows, targets, rows, true);
    }

    private Program bce(double[] x, int rows, double[] targets, int total, boolean withL2) {
        Tracer t = new Tracer(n);
        Value z = forward(t, input(t, x, rows));
        Value terms = z.softplus().sub(z.mul(t.data("Y", targets, rows, outputs())));
        Value data = reduction == Loss.Reduction.SUM ? terms.sum()
                : reduce(terms.mean(), (long) rows * outputs(), (long) total * outputs());
        return t.program(regularize(t, data, withL2));
    }

    /** The MSE loss (mean over all entries, or sum) on inputs x and targets y (rows × outputs), plus l2. */
    public Program mse(double[] x, int rows, double[] y) {
        if (loss != Loss.MSE) {
            throw new IllegalStateException("this MLP was built with loss " + loss);
        }
        return mse(x, rows, y, rows, true);
    }

    private Program mse(double[] x, int rows, double[] y, int total, boolean withL2) {
        Tracer t = new Tracer(n);
        Value out = forward(t, input(t, x, rows));
        return t.program(regularize(t, reduce(out.mse(t.data("Y", y, rows, outputs())), (long) rows * outputs(),
                (long) total * outputs()), withL2));
    }

    /**
     * {@link #program(double[], int, int[])} split by rows into {@code shards} programs whose
     * losses add up to it (each shard's mean weighted by its share of the rows, l2 in the first
     * only), for {@link dev.morse.ad.Shards}. One shard is the unsplit program.
     */
    public List<Program> programs(double[] x, int rows, int[] labels, int shards) {
        if (loss == Loss.MSE) {
            throw new IllegalArgumentException("this MLP was built with loss " + loss + ": give targets (double[]), "
                    + "not labels");
        }
        if (shards == 1) {
            return List.of(program(x, rows, labels));
        }
        checkShards(x, rows, shards);
        if (loss == Loss.BCE_WITH_LOGITS) {
            return programs(x, rows, targets(labels, rows), shards);
        }
        if (labels.length != rows) {
            throw new IllegalArgumentException(labels.length + " labels for " + rows + " examples");
        }
        checkLabels(labels);
        List<Program> out = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            int a = shardStart(rows, shards, s);
            int b = shardStart(rows, shards, s + 1);
            out.add(softmaxCe(rowsOf(x, inputs(), a, b), b - a, Arrays.copyOfRange(labels, a, b), rows, s == 0));
        }
        return out;
    }

    /** {@link #program(double[], int, double[])} split by rows into {@code shards} programs (see the labels' form). */
    public List<Program> programs(double[] x, int rows, double[] y, int shards) {
        if (shards == 1) {
            return List.of(program(x, rows, y));
        }
        checkShards(x, rows, shards);
        if (loss == Loss.CROSS_ENTROPY) {
            throw new IllegalArgumentException("this MLP was built with loss " + loss + ": give integer labels "
                    + "(int[]), not targets");
        }
        if (y.length != (long) rows * outputs()) {
            throw new IllegalArgumentException("targets: " + y.length + " values for " + rows + " examples of "
                    + outputs() + " outputs");
        }
        if (loss == Loss.BCE_WITH_LOGITS) {
            for (int i = 0; i < y.length; i++) {
                if (!(y[i] >= 0.0 && y[i] <= 1.0)) {
                    throw new IllegalArgumentException("target " + y[i] + " at " + i + " is outside [0, 1]");
                }
            }
        }
        List<Program> out = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            int a = shardStart(rows, shards, s);
            int b = shardStart(rows, shards, s + 1);
            double[] xs = rowsOf(x, inputs(), a, b);
            double[] ys = rowsOf(y, outputs(), a, b);
            out.add(loss == Loss.BCE_WITH_LOGITS ? bce(xs, b - a, ys, rows, s == 0) : mse(xs, b - a, ys, rows, s == 0));
        }
        return out;
    }

    private void checkShards(double[] x, int rows, int shards) {
        if (shards < 1 || shards > rows) {
            throw new IllegalArgumentException("shards: 1 to the " + rows + " examples, got " + shards);
        }
        if (x.length != (long) rows * inputs()) {
            throw new IllegalArgumentException("inputs: " + x.length + " values for " + rows + " examples of width "
                    + inputs() + " (" + (long) rows * inputs() + " expected)");
        }
    }

    /** Shard s's first row: rows split as evenly as integers allow, the earlier shards never larger. */
    private static int shardStart(int rows, int shards, int s) {
        return (int) ((long) rows * s / shards);
    }

    private static double[] rowsOf(double[] m, int cols, int from, int to) {
        return Arrays.copyOfRange(m, from * cols, to * cols);
    }

    @Override
    public String toString() {
        StringBuilder acts = new StringBuilder();
        if (activation != null) {
            acts.append(activation.specName());
        } else {
            for (Activation a : hidden) {
                acts.append(acts.length() == 0 ? "" : "/").append(a.specName());
            }
        }
        return "MLP " + widthsString() + " (" + acts
                + (output == Activation.IDENTITY ? "" : ", output " + output.specName()) + ", "
                + loss.name().toLowerCase(java.util.Locale.ROOT)
                + (reduction == Loss.Reduction.SUM ? " (sum)" : "") + ", biases " + Arrays.toString(bias)
                + (l2 > 0 ? ", l2 " + l2 : "") + ", N = " + n + ")";
    }

    /** Builds an {@link Mlp}: widths, biases per layer, activations (hidden and output), loss and its reduction, l2. */
    public static final class Builder {
        private int[] widths;
        private boolean[] bias;
        private boolean allBias = true;
        private Activation activation;
        private Activation[] perLayer;
        private Activation output = Activation.IDENTITY;
        private Loss loss;
        private Loss.Reduction reduction = Loss.Reduction.MEAN;
        private double l2;

        /** Input width, hidden widths..., output width. */
        public Builder widths(int... w) {
            this.widths = w.clone();
            return this;
        }

        /** Bias on or off for every layer. */
        public Builder bias(boolean on) {
            this.allBias = on;
            this.bias = null;
            return this;
        }

        /** Bias on or off per layer (one flag per weight layer). */
        public Builder bias(boolean... perLayer) {
            this.bias = perLayer.clone();
            return this;
        }

        /** The activation of every hidden layer. */
        public Builder activation(Activation a) {
            this.activation = a;
            this.perLayer = null;
            return this;
        }

        /** One activation per hidden layer (widths.length − 2 of them), in order. */
        public Builder activations(Activation... hiddenLayers) {
            this.perLayer = hiddenLayers.clone();
            this.activation = null;
            return this;
        }

        /** The output layer's activation (default identity: the loss sees the last affine map). */
        public Builder outputActivation(Activation a) {
            this.output = a;
            return this;
        }

        public Builder loss(Loss l) {
            this.loss = l;
            return this;
        }

        /** Mean (default) or sum of the loss's terms (see {@link Loss}). */
        public Builder reduction(Loss.Reduction r) {
            this.reduction = r;
            return this;
        }

        /** Adds λ‖θ‖² (for the (λ/2)‖θ‖² convention pass λ/2). */
        public Builder l2(double lambda) {
            this.l2 = lambda;
            return this;
        }

        public Mlp build() {
            if (widths == null || widths.length < 2) {
                throw new IllegalArgumentException("an MLP needs at least an input and an output width");
            }
            for (int w : widths) {
                if (w <= 0) {
                    throw new IllegalArgumentException("layer widths must be positive: " + Arrays.toString(widths));
                }
            }
            boolean[] b = bias;
            if (b == null) {
                b = new boolean[widths.length - 1];
                Arrays.fill(b, allBias);
            } else if (b.length != widths.length - 1) {
                throw new IllegalArgumentException(b.length + " bias flags for " + (widths.length - 1) + " layers");
            }
            // no silent defaults: the activation and the loss are the model, so they are given
            if (activation == null && perLayer == null) {
                throw new IllegalArgumentException("an MLP needs its hidden activation: .activation(Activation.X), one of "
                        + Arrays.toString(Activation.values()));
            }
            List<Activation> hidden = new ArrayList<>();
            for (int l = 0; l + 2 < widths.length; l++) {
                hidden.add(activation);
            }
            if (perLayer != null) {
                if (perLayer.length != widths.length - 2) {
                    throw new IllegalArgumentException(perLayer.length + " activations for " + (widths.length - 2)
                            + " hidden layers");
                }
                for (int l = 0; l < perLayer.length; l++) {
                    if (perLayer[l] == null) {
                        throw new IllegalArgumentException("activation of hidden layer " + (l + 1) + " is null");
                    }
                    hidden.set(l, perLayer[l]);
                }
            }
            if (output == null || reduction == null) {
                throw new IllegalArgumentException("output activation and reduction must not be null");
            }
            if (loss == null) {
                throw new IllegalArgumentException("an MLP needs its loss: .loss(Loss.X), one of "
                        + Arrays.toString(Loss.values()));
            }
            if (!(l2 >= 0) || Double.isInfinite(l2)) {
                throw new IllegalArgumentException("l2 must be finite and ≥ 0, got " + l2);
            }
            return new Mlp(widths.clone(), b, activation, Collections.unmodifiableList(hidden), output, loss,
                    reduction, l2);
        }
    }
}
