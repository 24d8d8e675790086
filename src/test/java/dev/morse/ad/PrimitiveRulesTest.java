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
            double lo = f == UnaryFn.LOG ? 0.5 : -2;
            double hi = f == UnaryFn.LOG ? 2.0 : 2;
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
}
