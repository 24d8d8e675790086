package dev.morse.bench.torch;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * An MLP loss in libtorch, float64, with random data and parameters: layer l computes
 * z = h·Wₗᵀ + bₗ, hidden layers apply Swish (x·σ(x)), the output layer is the identity, and the
 * loss is mean softmax cross-entropy over integer labels or, with MSE, the mean over all entries
 * of (z − target)². Two {@link Formulation}s of the same function: {@code torch.linear} with
 * weights stored [out, in] and the native {@code silu}, or {@code addmm} with weights stored
 * [in, out] and Swish written x·sigmoid(x); libtorch's speed differs between them by network.
 *
 * <p>Seeded initialization (libtorch's CPU generator, {@code manual_seed(seed)}, then in this
 * order): features X ~ N(0, 1) of shape [N, W0]; labels uniform in {0..WL−1} (or an MSE target
 * ~ N(0, 1) of shape [N, WL]); for each layer Wₗ ~ N(0, 1/Wₗ) of shape [W_{l+1}, W_l] then, if
 * biased, bₗ ~ N(0, 1/Wₗ); finally the HVP direction v ~ N(0, 1), one tensor per parameter.
 *
 * <p>Every native object made by an operation is released when that operation returns (a
 * {@link PointerScope} per call), so the autograd graph of one repetition is freed before the
 * next one starts. The tensors owned by this object are released by {@link #close()}.
 */
final class TorchMlp implements AutoCloseable {

    /** How the layers are written in libtorch (the same function either way). */
    enum Formulation {
        /** z = torch.linear(h, W[out, in], b), hidden h = torch.silu(z). */
        LINEAR_SILU("linear-silu"),
        /** z = torch.addmm(b, h, W[in, out]) (torch.mm without bias), hidden h = z·torch.sigmoid(z). */
        ADDMM_XSIGMOID("addmm-xsigmoid");

        final String label;

        Formulation(String label) {
            this.label = label;
        }
    }

    private final NetworkSpec spec;
    private final Formulation form;
    private final List<Pointer> owned = new ArrayList<>();
    private final Tensor features;
    private final Tensor labels;
    private final Tensor target;
    private final Tensor[] weights;
    private final TensorOptional[] biases;
    private final TensorVector parameters;
    private final TensorVector direction;

    TorchMlp(NetworkSpec spec, long seed) {
        this(spec, seed, Formulation.LINEAR_SILU);
    }

    /**
     * The same data and parameters for both formulations (ADDMM_XSIGMOID stores each Wₗ transposed,
     * contiguous); only the HVP direction's weight parts, drawn in the stored shape, differ.
     */
    TorchMlp(NetworkSpec spec, long seed, Formulation form) {
        this.spec = spec;
        this.form = form;
        int[] w = spec.widths();
        int layers = spec.layers();
        long n = spec.examples();
        weights = new Tensor[layers];
        biases = new TensorOptional[layers];
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(seed);
            TensorOptions f64 = new TensorOptions(torch.ScalarType.Double);
            features = keep(torch.randn(new long[] {n, w[0]}, f64));
            if (spec.mse()) {
                labels = null;
                target = keep(torch.randn(new long[] {n, w[layers]}, f64));
            } else {
                labels = keep(torch.randint(w[layers], new long[] {n}, new TensorOptions(torch.ScalarType.Long)));
                target = null;
            }
            List<Tensor> params = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                Scalar scale = new Scalar(1.0 / Math.sqrt(w[l]));
                Tensor wl = torch.randn(new long[] {w[l + 1], w[l]}, f64).mul(scale);
                weights[l] = keep(form == Formulation.ADDMM_XSIGMOID ? wl.t().contiguous() : wl);
                weights[l].set_requires_grad(true);
                params.add(weights[l]);
                if (spec.bias()) {
                    Tensor b = torch.randn(new long[] {w[l + 1]}, f64).mul(scale);
                    b.set_requires_grad(true);
                    biases[l] = keep(new TensorOptional(b));
                    params.add(b);
                } else {
                    biases[l] = keep(new TensorOptional());
                }
            }
            parameters = keep(new TensorVector(params.toArray(new Tensor[0])));
            Tensor[] v = new Tensor[params.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = torch.randn(params.get(i).shape(), f64);
            }
            direction = keep(new TensorVector(v));
        }
    }

    /** Survives the construction scope; released in {@link #close()}. */
    private <P extends Pointer> P keep(P p) {
        p.retainReference();
        owned.add(p);
        return p;
    }

    NetworkSpec spec() {
        return spec;
    }

    Formulation formulation() {
        return form;
    }

    /** Forward pass: the scalar loss, recorded for autograd. */
    private Tensor forward() {
        Tensor h = features;
        int layers = spec.layers();
        for (int l = 0; l < layers; l++) {
            Tensor z;
            if (form == Formulation.LINEAR_SILU) {
                z = torch.linear(h, weights[l], biases[l]);
                h = l < layers - 1 ? torch.silu(z) : z;
            } else {
                z = spec.bias() ? torch.addmm(biases[l].get(), h, weights[l]) : torch.mm(h, weights[l]);
                h = l < layers - 1 ? z.mul(torch.sigmoid(z)) : z;
            }
        }
        return spec.mse() ? torch.mse_loss(h, target) : torch.cross_entropy_loss(h, labels);
    }

    /** ∇L: forward, then one backward pass w.r.t. all parameters (graph freed). */
    private TensorVector gradientTensors() {
        return torch.grad(new TensorVector(forward()), parameters);
    }

    /**
     * The double-backward HVP: g = ∇L with create_graph, s = Σᵢ ⟨gᵢ, vᵢ⟩, then Hv = ∇s. It includes
     * the forward and the first backward, which libtorch must redo for every HVP.
     */
    private TensorVector hvpTensors(TensorVector v) {
        TensorVector g = torch.grad(new TensorVector(forward()), parameters, new TensorVector(),
                new BoolOptional(), true, false);
        Tensor s = null;
        for (int i = 0; i < g.size(); i++) {
            Tensor gv = g.get(i).mul(v.get(i)).sum();
            s = s == null ? gv : s.add(gv);
        }
        return torch.grad(new TensorVector(s), parameters);
    }

    /** One timed gradient: everything it allocates is released before it returns. */
    void gradientOnce() {
        try (PointerScope scope = new PointerScope()) {
            gradientTensors();
        }
    }

    /** One timed HVP along the fixed direction v; everything it allocates is released before it returns. */
    void hvpOnce() {
        try (PointerScope scope = new PointerScope()) {
            hvpTensors(direction);
        }
    }

    // ---- flat views for checks (not timed) -------------------------------------------------

    /** Number of parameters N. */
    int parameterCount() {
        return Math.toIntExact(spec.parameterCount());
    }

    double loss() {
        try (PointerScope scope = new PointerScope()) {
            return forward().item_double();
        }
    }

    double[] gradient() {
        try (PointerScope scope = new PointerScope()) {
            return flatten(gradientTensors());
        }
    }

    /** The fixed HVP direction v used by {@link #hvpOnce()}, flattened. */
    double[] direction() {
        try (PointerScope scope = new PointerScope()) {
            return flatten(direction);
        }
    }

    double[] parameters() {
        try (PointerScope scope = new PointerScope()) {
            return flatten(parameters);
        }
    }

    /** Hv for an arbitrary flat v (same layout as {@link #parameters()}). */
    double[] hvp(double[] v) {
        try (PointerScope scope = new PointerScope()) {
            checkLength("v", v.length);
            TensorOptions f64 = new TensorOptions(torch.ScalarType.Double);
            Tensor[] parts = new Tensor[(int) parameters.size()];
            int offset = 0;
            for (int i = 0; i < parts.length; i++) {
                parts[i] = torch.zeros(parameters.get(i).shape(), f64);
                offset = write(v, offset, parts[i]);
            }
            return flatten(hvpTensors(new TensorVector(parts)));
        }
    }

    /** Overwrites the parameters in place (they are contiguous leaves; no graph is alive between calls). */
    void setParameters(double[] theta) {
        checkLength("theta", theta.length);
        try (PointerScope scope = new PointerScope()) {
            int offset = 0;
            for (int i = 0; i < parameters.size(); i++) {
                offset = write(theta, offset, parameters.get(i));
            }
        }
    }

    private void checkLength(String what, int given) {
        int expected = parameterCount();
        if (given != expected) {
            throw new IllegalArgumentException(what + " has length " + given + ", the network has " + expected
                    + " parameters");
        }
    }

    private static int write(double[] src, int offset, Tensor dst) {
        int n = Math.toIntExact(dst.numel());
        dst.data_ptr_double().put(src, offset, n);
        return offset + n;
    }

    private static double[] flatten(TensorVector tensors) {
        long total = 0;
        for (int i = 0; i < tensors.size(); i++) total += tensors.get(i).numel();
        double[] out = new double[Math.toIntExact(total)];
        int offset = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i).contiguous();
            int n = Math.toIntExact(t.numel());
            t.data_ptr_double().get(out, offset, n);
            offset += n;
        }
        return out;
    }

    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).releaseReference();
        }
        owned.clear();
    }
}
