package dev.morse.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.ad.Linearization;
import dev.morse.ad.Plan;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.index.HessianRoute.Basis;
import dev.morse.index.HessianRoute.Costs;
import dev.morse.index.HessianRoute.Route;
import dev.morse.nn.Activation;
import dev.morse.nn.Loss;
import dev.morse.nn.Mlp;
import dev.morse.testing.Objectives;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The measured Hessian route: the cost model picks the cheaper route from given (not timed)
 * costs, respects the memory budget, and the operator switches at the next bind; the real
 * probe returns finite costs (no timing is asserted); both routes give the same H·v and the
 * same Hutchinson ‖H‖_F.
 */
class HessianRouteTest {
    private static final long GIB = 1L << 30;
    /** H·v by gemv on the assembled H against the HVP: rounding of a few hundred terms. */
    private static final double SAME_PRODUCT_TOL = 1e-12;

    private static Backend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend();
    }

    @AfterAll
    static void close() {
        be.close();
    }

    /** Costs in ms-like units: N = 500, assembly = 500·block. */
    private static Costs costs(double hvp, double block, double gemv, long budget) {
        return new Costs(500, hvp, block, 64, gemv, 32, 8L * 500 * 500, budget);
    }

    @Test
    void modelPicksTheCheaperRoute() {
        // assembly 100, gemv 0.01, hvp 1: dense pays from about 100 applications per step
        Costs c = costs(1.0, 0.2, 0.01, GIB);
        assertEquals(100.0, c.assembly(), 1e-12);
        assertEquals(100 + 500 * 0.01 + 32 * 0.01, c.denseStep(500), 1e-12);
        assertEquals(500 + 32 * 0.2, c.matrixFreeStep(500), 1e-12);
        assertEquals(Route.DENSE, HessianRoute.choose(c, 500));
        assertEquals(Route.MATRIX_FREE, HessianRoute.choose(c, 20));
        // the break-even: 100 + 0.01m + 0.32 = m + 6.4, m ≈ 94.9
        assertEquals(Route.MATRIX_FREE, HessianRoute.choose(c, 94));
        assertEquals(Route.DENSE, HessianRoute.choose(c, 95));
        // blocks no cheaper per direction than single HVPs and a gemv a tenth of one: matrix-free even
        // at the cap (dense 500 + 50 + 3.2, matrix-free 500 + 32)
        assertEquals(Route.MATRIX_FREE, HessianRoute.choose(costs(1.0, 1.0, 0.1, GIB), 500));
    }

    @Test
    void denseNeedsItsMemory() {
        Costs c = costs(1.0, 0.2, 0.01, 8L * 500 * 500 - 1);
        assertFalse(c.denseFits());
        assertEquals(Route.MATRIX_FREE, HessianRoute.choose(c, 500));
        assertTrue(costs(1.0, 0.2, 0.01, 8L * 500 * 500).denseFits());
    }

    private static Mlp mlpAbove256() {
        Mlp mlp = Mlp.builder().widths(8, 30, 1).activation(Activation.TANH).loss(Loss.MSE).bias(true).build();
        assertTrue(mlp.nParams() > HessianOperator.AUTO_DENSE_MAX_N, "N = " + mlp.nParams());
        return mlp;
    }

    @Test
    void operatorSwitchesAtTheNextBindAndReviseKeepsTheFirstRoute() {
        Mlp mlp = mlpAbove256();
        int n = mlp.nParams();
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 25, 1), be);
             HessianOperator h = new HessianOperator(be, n, HessianOperator.Mode.AUTO)) {
            assertFalse(h.exactNorm());
            Costs fake = new Costs(n, 1.0, 0.2, 64, 0.0, 0, 8L * n * n, GIB); // dense = 0.2N, matrix-free = m
            h.useProbe((op, lin) -> fake);
            Linearization lin = plan.at(mlp.init(2));
            HessianRoute.Decision d = h.choose(lin, n);
            assertEquals(Route.DENSE, d.route());
            assertEquals(Basis.MEASURED, d.basis());
            assertFalse(h.isDense(), "the route changes at the next bind");
            h.bind(lin);
            assertTrue(h.isDense());
            HessianRoute.Decision r = h.revise(d, 10);
            assertEquals(Route.MATRIX_FREE, r.route());
            assertEquals(Basis.REVISED, r.basis());
            assertEquals(Route.DENSE, r.first());
            assertEquals(10, r.expected());
            assertTrue(h.isDense(), "still the bound route until the next bind");
            long held = be.liveBytes();
            h.bind(lin);
            assertFalse(h.isDense());
            assertEquals(held - 8L * n * n, be.liveBytes(), "the N×N buffer is given back on the matrix-free route");
            h.revise(d, n);
            h.bind(lin);
            assertTrue(h.isDense(), "and allocated again when the route turns dense");
            assertEquals(held, be.liveBytes());
            assertThrows(IllegalStateException.class, () -> h.useProbe((op, l) -> fake), "costs already measured");
        }
    }

    @Test
    void forcedAndExactNormModesAreNotMeasured() {
        Mlp small = Objectives.smallMlp(2, 5, Activation.TANH);
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(small, 10, 1), be)) {
            Linearization lin = plan.at(small.init(1));
            HessianRoute.Probe fail = (op, l) -> {
                throw new AssertionError("must not measure");
            };
            try (HessianOperator auto = new HessianOperator(be, small.nParams(), HessianOperator.Mode.AUTO);
                 HessianOperator free = new HessianOperator(be, small.nParams(), HessianOperator.Mode.MATRIX_FREE)) {
                auto.useProbe(fail);
                free.useProbe(fail);
                HessianRoute.Decision a = auto.choose(lin, 100);
                assertEquals(Route.DENSE, a.route());
                assertEquals(Basis.EXACT_NORM, a.basis());
                assertNull(a.costs());
                HessianRoute.Decision f = free.choose(lin, 100);
                assertEquals(Route.MATRIX_FREE, f.route());
                assertEquals(Basis.FORCED, f.basis());
                assertEquals(f, free.revise(f, 1), "forced routes are not revised");
            }
        }
    }

    @Test
    void measuredProbeGivesFiniteCosts() {
        Mlp mlp = mlpAbove256();
        int n = mlp.nParams();
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 25, 1), be);
             HessianOperator h = new HessianOperator(be, n, HessianOperator.Mode.AUTO)) {
            HessianRoute.Decision d = h.choose(plan.at(mlp.init(3)), n);
            Costs c = d.costs();
            assertTrue(c.hvp() > 0 && Double.isFinite(c.hvp()), c.toString());
            assertTrue(c.denseFits(), c.toString());
            assertTrue(c.blockPerDirection() > 0 && c.gemv() > 0, c.toString());
            assertEquals(Math.min(n, HessianOperator.PROBE_BLOCK), c.blockDirections());
            assertEquals(3 + 2L * c.blockDirections(), h.hvpCount(), "the probe's HVPs are counted");
            assertEquals(HessianRoute.choose(c, n), d.route());
            assertSame(c, h.choose(plan.at(mlp.init(4)), n).costs(), "measured once per operator");
        }
    }

    @Test
    void reviseMeasuresAgainAndKeepsTheLeastOfEachCost() {
        Mlp mlp = mlpAbove256();
        int n = mlp.nParams();
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 25, 1), be);
             HessianOperator h = new HessianOperator(be, n, HessianOperator.Mode.AUTO)) {
            // the first probe ran during a load spike: its HVP 20× too dear makes dense look cheaper
            Costs spiked = new Costs(n, 10.0, 1.0, 64, 0.0, 0, 8L * n * n, GIB);
            Costs calm = new Costs(n, 0.5, 2.0, 64, 0.0, 0, 8L * n * n, GIB);
            int[] calls = {0};
            h.useProbe((op, l) -> calls[0]++ == 0 ? spiked : calm);
            Linearization lin = plan.at(mlp.init(2));
            HessianRoute.Decision d = h.choose(lin, n);
            assertEquals(Route.DENSE, d.route(), "dense n·1 against matrix-free n·10");
            h.bind(lin);
            HessianRoute.Decision r = h.revise(d, n);
            assertEquals(2, calls[0], "measured again at the revision");
            assertEquals(0.5, r.costs().hvp(), "the least HVP time");
            assertEquals(1.0, r.costs().blockPerDirection(), "the least block time, though from the first probe");
            assertEquals(Route.MATRIX_FREE, r.route(), "dense n·1 against matrix-free n·0.5");
        }
    }

    @Test
    void theSecondMeasurementLeavesABoundHessianAsItIs() {
        Mlp mlp = mlpAbove256();
        int n = mlp.nParams();
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 25, 1), be);
             HessianOperator h = new HessianOperator(be, n, HessianOperator.Mode.AUTO);
             DArray before = be.alloc((long) n * n)) {
            // the first choice forced dense (a fixed model), the revision's probe the real one
            Costs dense = new Costs(n, 1e9, 0.0, 64, 0.0, 0, 8L * n * n, GIB);
            int[] calls = {0};
            h.useProbe((op, l) -> calls[0]++ == 0 ? dense : op.measure(l));
            Linearization lin = plan.at(mlp.init(5));
            HessianRoute.Decision d = h.choose(lin, n);
            h.bind(lin);
            assertTrue(h.isDense());
            h.copyDense(before, 0);
            long spent = h.hvpCount();
            HessianRoute.Decision r = h.revise(d, n);
            assertTrue(r.costs().hvp() > 0 && r.costs().hvp() < 1e9, r.costs().toString());
            assertEquals(3 + 2L * Math.min(n, HessianOperator.PROBE_BLOCK), h.hvpCount() - spent,
                    "the second probe's HVPs count");
            assertTrue(h.isDense(), "still the bound route until the next bind");
            double[] a = new double[n * n];
            double[] b = new double[n * n];
            be.download(before, 0, a, 0, a.length);
            be.download(h.matrix(), 0, b, 0, b.length);
            assertTrue(java.util.Arrays.equals(a, b), "the bound H is unchanged by the probe");
        }
    }

    @Test
    void probesRunSinglyWhereABlockDirectionWasMeasuredDearer() {
        Mlp mlp = mlpAbove256();
        int n = mlp.nParams();
        Costs blockCheaper = new Costs(n, 2.0, 1.0, 64, 0.0, 32, 8L * n * n, 0); // no dense budget: matrix-free
        Costs hvpCheaper = new Costs(n, 1.0, 2.0, 64, 0.0, 32, 8L * n * n, 0);
        assertFalse(blockCheaper.probesSingly());
        assertTrue(hvpCheaper.probesSingly());
        assertEquals(10 * 1.0 + 32 * 1.0, hvpCheaper.matrixFreeStep(10), 1e-12, "probes priced at the HVP");
        assertEquals(10 * 2.0 + 32 * 1.0, blockCheaper.matrixFreeStep(10), 1e-12, "probes priced at the block");
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 25, 1), be);
             HessianOperator byBlock = new HessianOperator(be, n, HessianOperator.Mode.AUTO);
             HessianOperator singly = new HessianOperator(be, n, HessianOperator.Mode.AUTO)) {
            byBlock.useProbe((op, l) -> blockCheaper);
            singly.useProbe((op, l) -> hvpCheaper);
            Linearization lin = plan.at(mlp.init(7));
            assertEquals(Route.MATRIX_FREE, byBlock.choose(lin, n).route());
            assertEquals(Route.MATRIX_FREE, singly.choose(lin, n).route());
            byBlock.bind(lin);
            singly.bind(lin);
            assertFalse(byBlock.probesSingly());
            assertTrue(singly.probesSingly());
            FrobeniusNorm a = byBlock.frobeniusNorm();
            FrobeniusNorm b = singly.frobeniusNorm();
            assertEquals(32, byBlock.hvpCount());
            assertEquals(32, singly.hvpCount(), "32 single HVPs, counted");
            assertEquals(a.value(), b.value(), SAME_PRODUCT_TOL * a.value(), "the same probes, the same estimate");
        }
    }

    @Test
    void bothRoutesGiveTheSameProductsAndHutchinsonNorm() {
        Mlp mlp = mlpAbove256();
        int n = mlp.nParams();
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = Math.cos(0.7 * i);
        }
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 25, 1), be);
             HessianOperator dense = new HessianOperator(be, n, HessianOperator.Mode.AUTO);
             HessianOperator free = new HessianOperator(be, n, HessianOperator.Mode.MATRIX_FREE);
             DArray dv = be.alloc(n); DArray y1 = be.alloc(n); DArray y2 = be.alloc(n)) {
            dense.useProbe((op, l) -> new Costs(n, 1.0, 0.0, 64, 0.0, 32, 8L * n * n, GIB)); // dense for free
            Linearization lin = plan.at(mlp.init(3));
            assertEquals(Route.DENSE, dense.choose(lin, n).route());
            dense.bind(lin);
            free.bind(lin);
            assertTrue(dense.isDense());
            be.upload(v, 0, dv, 0, n);
            dense.apply(dv, 0, y1, 0);
            free.apply(dv, 0, y2, 0);
            double[] a = new double[n];
            double[] b = new double[n];
            be.download(y1, 0, a, 0, n);
            be.download(y2, 0, b, 0, n);
            for (int i = 0; i < n; i++) {
                assertEquals(b[i], a[i], SAME_PRODUCT_TOL * (1 + Math.abs(b[i])), "(Hv)[" + i + "]");
            }
            FrobeniusNorm fa = dense.frobeniusNorm();
            FrobeniusNorm fb = free.frobeniusNorm();
            assertFalse(fa.exact(), "AUTO above N = 256 estimates ‖H‖_F on either route");
            assertEquals(fb.probes(), fa.probes());
            assertEquals(fb.value(), fa.value(), SAME_PRODUCT_TOL * fb.value(), "the same Hutchinson probes");
        }
    }
}
