package dev.morse.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.morse.ad.Plan;
import dev.morse.backend.cpu.CpuBackend;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The network keys of a spec: per-layer and output activations, bce, reduction, the l2 forms. */
class NetworkKeysSpecTest {
    private static Spec spec(String problemKeys) throws IOException {
        String yaml = "name: k\nproblem: {kind: mlp, widths: [4, 3, 3, 4], " + problemKeys
                + ", data: {source: gaussian, n: 20, features: 4}}\nmethods:\n  - {kind: newton-mr, runs: 1, iterations: 1}\n";
        return Spec.parse(new ObjectMapper(new YAMLFactory()).readTree(yaml), false);
    }

    private static String error(String problemKeys) {
        return assertThrows(SpecException.class, () -> spec(problemKeys)).getMessage();
    }

    @Test
    void activationPerLayerOrForAll() throws IOException {
        Spec.ProblemSpec p = spec("loss: mse, activation: [tanh, gelu], output_activation: sigmoid").problem();
        assertEquals(List.of("tanh", "gelu"), p.activations());
        assertEquals("sigmoid", p.outputActivation());
        Problem built = Problem.build(p, null);
        assertTrue(built.description().startsWith("MLP 4-3-3-4 (tanh/gelu, output sigmoid, mse,"), built.description());

        Spec.ProblemSpec one = spec("loss: mse, activation: mish").problem();
        assertNull(one.activations());
        assertEquals("mish", one.activation());
        assertEquals("identity", one.outputActivation());
        assertEquals("mean", one.reduction());
        assertTrue(Problem.build(one, null).description().startsWith("MLP 4-3-3-4 (mish, mse, biases"));
        assertEquals(List.of("swish"), List.of(spec("loss: mse").problem().activation()), "the default");

        assertTrue(error("loss: mse, activation: [tanh, gelu, elu]").contains("3 activations for 2 hidden layers"));
        String unknown = error("loss: mse, activation: [tanh, gelo]");
        assertTrue(unknown.contains("activation[1]") && unknown.contains("gelu"), unknown);
        assertTrue(error("loss: mse, output_activation: softmax").contains("output_activation"));
    }

    @Test
    void bceNeedsLabelsAndReductionIsParsed() throws IOException {
        assertTrue(error("loss: bce").contains("needs labelled data"));
        assertEquals("sum", spec("loss: mse, reduction: sum").problem().reduction());
        assertTrue(error("loss: mse, reduction: half").contains("reduction"));
    }

    @Test
    void l2HalfFormIsHalfTheSumForm() throws IOException {
        Problem half = Problem.build(spec("loss: mse, l2: {lambda: 0.2, form: half}").problem(), null);
        Problem halfKey = Problem.build(spec("loss: mse, l2: 0.2, l2_form: half").problem(), null);
        Problem sum = Problem.build(spec("loss: mse, l2: 0.1").problem(), null);
        Problem none = Problem.build(spec("loss: mse").problem(), null);
        double[] th = new double[sum.nParams()];
        Random r = new Random(4);
        double sq = 0;
        for (int i = 0; i < th.length; i++) {
            th[i] = r.nextGaussian();
            sq += th[i] * th[i];
        }
        try (CpuBackend be = new CpuBackend(); Plan ph = Plan.compile(half.program(), be);
             Plan pk = Plan.compile(halfKey.program(), be); Plan ps = Plan.compile(sum.program(), be);
             Plan p0 = Plan.compile(none.program(), be)) {
            assertEquals(0.2 / 2 * sq, ph.value(th) - p0.value(th), 1e-12 * sq, "(λ/2)‖θ‖²");
            assertEquals(ps.value(th), ph.value(th), 0.0);
            assertEquals(ps.value(th), pk.value(th), 0.0);
        }
        assertTrue(error("loss: mse, l2: {lambda: 0.2, form: half}, l2_form: sum").contains("once"));
        assertTrue(error("loss: mse, l2: {lambda: 0.2, form: quarter}").contains("form"));
    }
}
