package dev.morse.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.Backend;
import dev.morse.backend.UnaryFn;
import dev.morse.backend.cpu.CpuBackend;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every primitive, on seeded random shapes, through {@link GradCheck}: its JVP and VJP
 * against central differences, its tangent-of-VJP through the HVP against differences of
 * the gradient, and the exact identities. Matrix-valued results are contracted with a
 * random constant W (loss = Σ W∘f(x)) so adjoints are not uniform; scalar-valued ones are
 * squared so that (L̄)˙ ≠ 0 and the second-order rules are exercised in full.
 */
class PrimitiveRulesTest {
    private static Backend cpu;

    @BeforeAll
    static void open() {
        cpu = new CpuBackend();
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    /** Builds a loss over θ = [A | B] with A r×c and B of the given shape, and checks it. */
    private static void check(long seed, int ar, int ac, int br, int bc, double lo, double hi,
                              BiFunction<Tracer, Value[], Value> f) {
        Random r = new Random(seed);
        int na = ar * ac;
        int nb = br * bc;
        Tracer t = new Tracer(na + nb);
        Value a = t.param(0, ar, ac);
        Value b = t.param(na, br, bc);
        Value out = f.apply(t, new Value[] {a, b});
        Value loss;
        if (out.shape().isScalar()) {
            loss = out.square();
        } else {
            double[] w = GradCheck.gaussian(r, (int) out.shape().size(), 1.0);
            loss = out.mul(t.data("W", w, out.shape().rows(), out.shape().cols())).sum();
        }
        double[] th = new double[na + nb];
        for (int i = 0; i < th.length; i++) {
            th[i] = lo + (hi - lo) * r.nextDouble();
        }
        GradCheck.check(t.program(loss), cpu, th, seed + 1);
    }

    private static Value data(Tracer t, long seed, int rows, int cols) {
        return t.data("D", GradCheck.gaussian(new Random(seed), rows * cols, 1.0), rows, cols);
    }

    @Test
    void add() {
        check(1, 3, 4, 3, 4, -1, 1, (t, v) -> v[0].add(v[1]));
        check(2, 3, 4, 3, 4, -1, 1, (t, v) -> v[0].add(data(t, 7, 3, 4)).mul(v[1]));
    }

    @Test
    void sub() {
        check(3, 2, 5, 2, 5, -1, 1, (t, v) -> v[0].sub(v[1]).mul(v[0]));
        check(4, 2, 5, 2, 5, -1, 1, (t, v) -> data(t, 8, 2, 5).sub(v[1]).square());
    }

    @Test
    void mul() {
        check(5, 4, 3, 4, 3, -1, 1, (t, v) -> v[0].mul(v[1]));
        check(6, 4, 3, 4, 3, -1, 1, (t, v) -> v[0].mul(v[0]));
        check(7, 4, 3, 4, 3, -1, 1, (t, v) -> v[0].mul(data(t, 9, 4, 3)).mul(v[1]));
    }

    @Test
    void scaleAndShift() {
        check(8, 3, 3, 3, 3, -1, 1, (t, v) -> v[0].scale(-2.5).mul(v[1].plus(0.75)));
    }

    @Test
    void matmulAllTransposes() {
        long seed = 10;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                // op(A) 3×4, op(B) 4×5
                int ar = ta ? 4 : 3;
                int ac = ta ? 3 : 4;
                int br = tb ? 5 : 4;
                int bc = tb ? 4 : 5;
                check(seed++, ar, ac, br, bc, -1, 1, (t, v) -> v[0].matmul(v[1], ta, tb).tanh());
            }
        }
    }

    @Test
    void matmulWithDataAndSelf() {
        check(20, 4, 3, 3, 2, -1, 1, (t, v) -> data(t, 21, 5, 4).matmul(v[0]).matmul(v[1]).sigmoid());
        check(22, 4, 3, 1, 1, -1, 1, (t, v) -> v[0].matmul(data(t, 23, 3, 6)).swish());
        check(24, 3, 4, 1, 1, -1, 1, (t, v) -> v[0].matmul(v[0], false, true).square());
        check(25, 3, 4, 1, 1, -1, 1, (t, v) -> v[0].matmul(v[0], true, false).square());
    }

    @Test
    void addBias() {
        check(30, 5, 3, 1, 3, -1, 1, (t, v) -> v[0].addBias(v[1]).tanh());
        check(31, 5, 3, 1, 3, -1, 1, (t, v) -> data(t, 32, 5, 3).addBias(v[1]).softplus().mul(v[0]));
    }

    @Test
    void affine() {
        // A·W + 1bᵀ with every combination of active operands (θ = [W | b], A data or active)
        check(33, 4, 3, 1, 3, -1, 1, (t, v) -> data(t, 34, 5, 4).affine(v[0], v[1]).tanh());
        check(35, 4, 4, 1, 4, -1, 1, (t, v) -> v[0].affine(v[0], v[1]).swish());
        check(36, 4, 3, 1, 3, -1, 1, (t, v) -> data(t, 37, 5, 4).affine(data(t, 38, 4, 3), v[1]).sigmoid());
    }

    @Test
    void sumAndMean() {
        check(40, 4, 5, 1, 1, -1, 1, (t, v) -> v[0].tanh().sum());
        check(41, 4, 5, 1, 1, -1, 1, (t, v) -> v[0].sigmoid().mean().mul(v[1]));
    }

    @Test
    void everyUnaryFunction() {
        long seed = 50;
        for (UnaryFn f : UnaryFn.values()) {
            if (f == UnaryFn.POWI) {
                continue;
            }
            // log needs positive arguments; relu needs arguments away from its kink
            double lo = f.positiveDomain() ? 0.5 : -2;
            double hi = f.positiveDomain() ? 2.0 : 2;
            check(seed++, 3, 4, 1, 1, lo, hi, (t, v) -> v[0].apply(f).mul(v[0]));
            check(seed++, 3, 4, 1, 1, lo, hi, (t, v) -> v[0].apply(f));
        }
        for (int p = 0; p <= 5; p++) {
            int q = p;
            check(seed++, 3, 4, 1, 1, -1.5, 1.5, (t, v) -> v[0].pow(q).add(v[0]));
        }
    }

    @Test
    void mse() {
        check(70, 6, 3, 6, 3, -1, 1, (t, v) -> v[0].tanh().mse(data(t, 71, 6, 3)));
        check(72, 6, 3, 6, 3, -1, 1, (t, v) -> v[0].swish().mse(v[1].sigmoid()));
    }

    @Test
    void softmaxCrossEntropy() {
        check(80, 7, 4, 1, 1, -2, 2, (t, v) -> v[0].softmaxCrossEntropy(t.labels(new int[] {0, 3, 1, 2, 2, 0, 3})));
        check(81, 7, 4, 4, 3, -1, 1, (t, v) -> v[0].matmul(v[1])
                .softmaxCrossEntropy(t.labels(new int[] {0, 2, 1, 2, 2, 0, 1})));
    }

    @Test
    void l2() {
        check(90, 3, 3, 2, 2, -1, 1, (t, v) -> v[0].tanh().sum().add(t.theta().l2(0.3)));
        check(91, 3, 3, 2, 2, -1, 1, (t, v) -> v[1].l2(0.7).mul(v[1].sum()));
    }

    @Test
    void missingRuleNamesPrimitiveAndRule() {
        Primitive p = new Primitive() {
            @Override
            public String name() {
                return "mystery";
            }

            @Override
            public Shape shape(Shape[] in) {
                return in[0];
            }
        };
        MissingRuleException e = assertThrows(MissingRuleException.class, () -> p.tvjp(null, 1));
        assertTrue(e.getMessage().contains("mystery") && e.getMessage().contains("tangent-of-vjp"), e.getMessage());
    }

    @Test
    void shapeMismatchNamesPrimitiveAndBothShapes() {
        Tracer t = new Tracer(20);
        Value a = t.param(0, 2, 3);
        Value b = t.param(6, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.matmul(b));
        assertTrue(e.getMessage().contains("matmul") && e.getMessage().contains("2×3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.add(t.param(0, 3, 2)));
        assertTrue(e.getMessage().contains("add") && e.getMessage().contains("2×3")
                && e.getMessage().contains("3×2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.param(15, 2, 3));
        assertTrue(e.getMessage().contains("slice"), e.getMessage());
    }

    @Test
    void wrongLengthsNameBothLengths() {
        Tracer t = new Tracer(6);
        Program p = t.program(t.param(0, 2, 3).square().sum());
        try (Plan plan = Plan.compile(p, cpu)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan.at(new double[5]));
            assertTrue(e.getMessage().contains("5") && e.getMessage().contains("6"), e.getMessage());
            Linearization lin = plan.at(new double[6]);
            try (var v = cpu.alloc(4); var out = cpu.alloc(6)) {
                e = assertThrows(IllegalArgumentException.class, () -> lin.hvp(v, 0, out, 0));
                assertTrue(e.getMessage().contains("4") && e.getMessage().contains("6"), e.getMessage());
            }
        }
    }

    @Test
    void nonFiniteLossIsReported() {
        Tracer t = new Tracer(2);
        Program p = t.program(t.param(0, 1, 2).log().sum());
        try (Plan plan = Plan.compile(p, cpu)) {
            Linearization lin = plan.at(new double[] {-1.0, 1.0});
            assertTrue(!lin.finite(), "log(-1) must make the linearization non-finite");
            assertTrue(Double.isNaN(lin.value()));
            lin = plan.at(new double[] {2.0, 1.0});
            assertTrue(lin.finite());
            assertEquals(Math.log(2.0), lin.value(), 1e-15);
        }
    }

    @Test
    void staleLinearizationThrows() {
        Tracer t = new Tracer(2);
        Program p = t.program(t.param(0, 1, 2).square().sum());
        try (Plan plan = Plan.compile(p, cpu)) {
            Linearization lin = plan.at(new double[] {1.0, 2.0});
            plan.value(new double[] {0.0, 0.0});
            assertThrows(IllegalStateException.class, lin::value);
        }
    }

    @Test
    void reluIsFlaggedNonSmooth() {
        Tracer t = new Tracer(3);
        Program p = t.program(t.param(0, 1, 3).relu().sum());
        assertEquals(java.util.List.of("relu"), p.nonSmooth());
        Tracer t2 = new Tracer(3);
        assertTrue(t2.program(t2.param(0, 1, 3).swish().sum()).nonSmooth().isEmpty());
    }

    // ---------------------------------------------------------------- general primitives (issue 12)

    @Test
    void reshapeAndTranspose() {
        check(100, 3, 4, 2, 6, -1, 1, (t, v) -> v[0].reshape(2, 6).mul(v[1]).tanh());
        check(101, 3, 4, 4, 3, -1, 1, (t, v) -> v[0].transpose().mul(v[1]));
        check(102, 3, 4, 1, 1, -1, 1, (t, v) -> v[0].transpose().matmul(v[0]).sigmoid());
        check(103, 2, 5, 1, 1, -1, 1, (t, v) -> data(t, 104, 5, 3).transpose().matmul(v[0].transpose()).square());
    }

    @Test
    void broadcastingAddAndMul() {
        // every broadcast kind on either side: 1×1, 1×C, R×1 against R×C
        check(110, 4, 3, 1, 3, -1, 1, (t, v) -> v[0].add(v[1]).tanh());
        check(111, 4, 3, 4, 1, -1, 1, (t, v) -> v[1].mul(v[0]).swish());
        check(112, 4, 3, 1, 1, -1, 1, (t, v) -> v[0].mul(v[1]).add(v[1]).tanh());
        check(113, 4, 3, 1, 3, -1, 1, (t, v) -> v[1].sub(v[0]).mul(v[1]).sigmoid());
        check(114, 4, 1, 1, 3, -1, 1, (t, v) -> v[0].mul(v[1]).tanh());
        check(115, 4, 3, 4, 1, -1, 1, (t, v) -> data(t, 116, 1, 3).mul(v[1]).add(v[0]).square());
    }

    @Test
    void rowAndColumnSums() {
        check(120, 4, 3, 4, 1, -1, 1, (t, v) -> v[0].tanh().rowSums().mul(v[1]));
        check(121, 4, 3, 1, 3, -1, 1, (t, v) -> v[0].tanh().columnSums().mul(v[1]));
        check(122, 5, 2, 1, 1, -1, 1, (t, v) -> v[0].square().rowSums().sigmoid().columnSums());
    }

    @Test
    void sqrtAbsMax() {
        check(130, 3, 4, 1, 1, 0.5, 2.0, (t, v) -> v[0].sqrt().mul(v[0]));
        check(131, 3, 4, 3, 4, 0.5, 2.0, (t, v) -> v[0].mul(v[1]).sqrt());
        check(132, 3, 4, 1, 1, -2, 2, (t, v) -> v[0].abs().mul(v[0].tanh()));
        check(133, 3, 4, 3, 4, -2, 2, (t, v) -> v[0].max(v[1]).square());
        check(134, 3, 4, 1, 1, -2, 2, (t, v) -> v[0].max(data(t, 135, 3, 4)).tanh());
        Tracer t = new Tracer(3);
        assertEquals(java.util.List.of("max"), t.program(t.param(0, 1, 3).abs().sum()).nonSmooth());
    }

    @Test
    void gatherRows() {
        check(140, 5, 3, 1, 3, -1, 1, (t, v) -> v[0].gatherRows(4, 0, 0, 2).add(v[1]).tanh());
        Tracer t = new Tracer(6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.param(0, 3, 2).gatherRows(3));
        assertTrue(e.getMessage().contains("gatherRows") && e.getMessage().contains("3"), e.getMessage());
    }

    /** The forward values of the general primitives against host formulas (GradCheck checks derivatives only). */
    @Test
    void generalPrimitivesForwardValues() {
        Random r = new Random(150);
        int rows = 3;
        int cols = 4;
        double[] th = GradCheck.gaussian(r, rows * cols + cols + rows, 1.0);
        double[] w = GradCheck.gaussian(r, rows * cols, 1.0);
        double[] wt = GradCheck.gaussian(r, rows * cols, 1.0);
        Tracer t = new Tracer(th.length);
        Value x = t.param(0, rows, cols);
        Value rowv = t.param(rows * cols, 1, cols);
        Value colv = t.param(rows * cols + cols, rows, 1);
        Value a = x.add(rowv).mul(colv).max(x).mul(t.data("W", w, rows, cols)).sum();
        Value b = x.abs().sqrt().transpose().mul(t.data("WT", wt, cols, rows)).sum();
        Value c = x.rowSums().mul(colv).sum().add(x.columnSums().mul(rowv).sum())
                .add(x.gatherRows(2, 0).reshape(1, 2 * cols).sum().scale(0.5));
        double ea = 0;
        double eb = 0;
        double ec = 0;
        for (int i = 0; i < rows; i++) {
            double rs = 0;
            for (int j = 0; j < cols; j++) {
                double xv = th[i * cols + j];
                double rv = th[rows * cols + j];
                double cv = th[rows * cols + cols + i];
                ea += Math.max((xv + rv) * cv, xv) * w[i * cols + j];
                eb += Math.sqrt(Math.abs(xv)) * wt[j * rows + i];
                rs += xv;
                ec += xv * rv;
                if (i == 2 || i == 0) {
                    ec += 0.5 * xv;
                }
            }
            ec += rs * th[rows * cols + cols + i];
        }
        double[] expected = {ea, eb, ec};
        Value[] losses = {a, b, c};
        for (int q = 0; q < 3; q++) {
            Tracer tq = t;
            try (Plan plan = Plan.compile(tq.program(losses[q]), cpu)) {
                assertEquals(expected[q], plan.value(th), 1e-13 * (1 + Math.abs(expected[q])), "loss " + q);
            }
        }
    }

    /** A primitive written against the public contract only, recorded with Tracer.apply. */
    @Test
    void userPrimitivesThroughTracerApply() {
        check(160, 3, 4, 1, 1, -1.5, 1.5, (t, v) -> t.apply(new dev.morse.testing.CubePrimitive(), v[0]).mul(v[0]));
        check(161, 3, 4, 3, 4, -1, 1, (t, v) -> t.apply(new dev.morse.testing.FlipPrimitive(), v[0], v[1]).tanh());
    }
}
