package dev.morse.ad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.morse.backend.cpu.CpuBackend;
import dev.morse.testing.DenseQuadratic;
import dev.morse.testing.Objectives;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The host-array conveniences of {@link Linearization} on a quadratic ½θᵀAθ + bᵀθ whose
 * Hessian is A and gradient Aθ + b in closed form: hessian(), hvpBlock(k, V), jvp(v) (the
 * plan's tangent forward pass, and the default ⟨g, v⟩ of another implementation).
 */
class LinearizationHostArraysTest {
    /** Closed form against BLAS sums of at most 8 terms of size ≤ 4: rounding only. */
    private static final double TOL = 1e-12;

    @Test
    void hostOverloadsMatchTheClosedForm() {
        int n = 6;
        Random r = new Random(3);
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                a[i * n + j] = a[j * n + i] = r.nextGaussian();
            }
        }
        double[] b = new double[n];
        double[] th = new double[n];
        double[] v = new double[3 * n];
        for (int i = 0; i < n; i++) {
            b[i] = r.nextGaussian();
            th[i] = r.nextGaussian();
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        double[] g = new double[n];
        double[] av = new double[3 * n];
        for (int i = 0; i < n; i++) {
            g[i] = b[i];
            for (int j = 0; j < n; j++) {
                g[i] += a[i * n + j] * th[j];
                for (int k = 0; k < 3; k++) {
                    av[k * n + i] += a[i * n + j] * v[k * n + j];
                }
            }
        }
        double gv = 0;
        for (int i = 0; i < n; i++) {
            gv += g[i] * v[i];
        }
        try (CpuBackend cpu = new CpuBackend(); Plan plan = Plan.compile(Objectives.quadratic(a, b), cpu,
                Plan.Options.defaults().withMaxBlock(2));
             DenseQuadratic dq = new DenseQuadratic(cpu, a, b)) {
            Linearization lin = plan.at(th);
            assertArrayEquals(a, lin.hessian(), TOL);
            assertArrayEquals(av, lin.hvpBlock(3, v), TOL);
            assertEquals(0, lin.hvpBlock(0, new double[0]).length);
            assertEquals(gv, lin.jvp(java.util.Arrays.copyOf(v, n)), TOL);
            assertThrows(IllegalArgumentException.class, () -> lin.hvpBlock(2, v));
            try (var dth = cpu.alloc(n)) {
                cpu.upload(th, 0, dth, 0, n);
                Linearization other = dq.at(dth, 0);
                assertEquals(gv, other.jvp(java.util.Arrays.copyOf(v, n)), TOL);
                assertArrayEquals(a, other.hessian(), TOL);
            }
        }
    }
}
