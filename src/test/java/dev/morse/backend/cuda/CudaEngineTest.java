package dev.morse.backend.cuda;

import dev.morse.backend.Backend;
import dev.morse.backend.EngineConformanceTest;

/** The engine on the CUDA backend against the CPU; skipped with the reason where CUDA is not usable. */
class CudaEngineTest extends EngineConformanceTest {
    @Override
    protected Backend create() {
        CudaAssumptions.assumeUsable(CudaEngineTest.class);
        return new CudaBackend();
    }
}
