package dev.morse.backend;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.cpu.CpuBackend;
import dev.morse.backend.cuda.SelfTest;
import dev.morse.bench.EngineSelfTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine on a backend against the CPU backend: value, gradient, HVP, hvpBlock (across
 * the block capacity), dense Hessian, its spectrum (syevd) and inertia (sytrf), for an MLP
 * with biases, Swish and cross-entropy, and one with MSE. Subclassed per backend.
 */
public abstract class EngineConformanceTest {
    protected abstract Backend create();

    private static void check(Backend dev, String network) {
        check(dev, new EngineSelfTest(network));
    }

    private static void check(Backend dev, EngineSelfTest test) {
        List<SelfTest.Row> rows = new ArrayList<>();
        try (Backend cpu = new CpuBackend()) {
            test.run(dev, cpu, rows, new ArrayList<>());
        }
        for (SelfTest.Row r : rows) {
            assertTrue(r.pass(), r.operation() + ": max relative error " + r.maxRelError() + " > " + r.tolerance()
                    + " " + r.note());
        }
    }

    @Test
    void crossEntropyMlpAgreesWithTheCpu() {
        try (Backend b = create()) {
            check(b, "16-12-8-10@300");
        }
    }

    /** The networks of every activation (per layer and at the output) and every loss, as `morse selftest` runs them. */
    @Test
    void everyActivationAndLossAgreesWithTheCpu() {
        try (Backend b = create()) {
            check(b, new EngineSelfTest(null, true));
        }
    }

    @Test
    void mseAutoencoderWithoutBiasesAgreesWithTheCpu() {
        try (Backend b = create()) {
            check(b, "8-5-8@200:mse:nobias");
        }
    }
}
