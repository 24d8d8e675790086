package dev.morse.backend.cuda;

import dev.morse.backend.Backend;
import dev.morse.backend.Backends;
import dev.morse.backend.EngineConformanceTest;
import org.junit.jupiter.api.Assumptions;

/** The engine on the CUDA backend against the CPU; skipped with the reason where CUDA is not usable. */
class CudaEngineTest extends EngineConformanceTest {
    @Override
    protected Backend create() {
        Backends.CudaStatus st = Backends.cudaStatus();
        Assumptions.assumeTrue(st.usable(), "CUDA not usable: " + st.reason());
        return new CudaBackend();
    }
}
