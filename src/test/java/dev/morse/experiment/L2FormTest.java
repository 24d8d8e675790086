package dev.morse.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.morse.ad.Plan;
import dev.morse.backend.cpu.CpuBackend;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** problem.l2_form: λ·mean(θ²) (the authors' regularizer) is λ/N times the sum form. */
class L2FormTest {
    private static Problem problem(String l2) throws IOException {
        String yaml = "name: l2\nproblem: {kind: mlp, widths: [4, 3, 4], loss: mse, " + l2
                + ", data: {source: gaussian, n: 50, features: 4}}\nmethods:\n  - {kind: newton-mr, runs: 1, iterations: 1}\n";
        return Problem.build(Spec.parse(new ObjectMapper(new YAMLFactory()).readTree(yaml), false).problem(), null);
    }

    @Test
    void meanFormIsTheSumFormOverN() throws IOException {
        Problem none = problem("l2: 0");
        int n = none.nParams(); // 4·3 + 3 + 3·4 + 4 = 31
        assertEquals(31, n);
        Problem mean = problem("l2: 0.1, l2_form: mean");
        Problem sum = problem("l2: " + (0.1 / n));
        double[] th = new double[n];
        Random r = new Random(3);
        double sq = 0;
        for (int i = 0; i < n; i++) {
            th[i] = r.nextGaussian();
            sq += th[i] * th[i];
        }
        try (CpuBackend be = new CpuBackend(); Plan p0 = Plan.compile(none.program(), be);
             Plan pm = Plan.compile(mean.program(), be); Plan ps = Plan.compile(sum.program(), be)) {
            double base = p0.value(th);
            // the regularizer's value is 0.1·mean(θ²), whichever way it is written
            assertEquals(0.1 * sq / n, pm.value(th) - base, 1e-12);
            assertEquals(pm.value(th), ps.value(th), 1e-12);
        }
    }

    @Test
    void meanFormIsForNetworksOnly() {
        assertThrows(SpecException.class, () -> Spec.parse(new ObjectMapper(new YAMLFactory()).readTree(
                "name: q\nproblem: {kind: quartic, l2: 0.1, l2_form: mean}\nmethods:\n  - {kind: newton-mr, runs: 1, iterations: 1}\n"),
                false));
    }
}
