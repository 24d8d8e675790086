package dev.morse.backend.cuda;

import dev.morse.backend.Backend;
import dev.morse.backend.BackendConformanceTest;
import dev.morse.backend.Backends;

/**
 * The Backend contract on the CUDA backend; skipped, with the reason from
 * {@link Backends#cudaStatus()}, where CUDA is not usable (no driver, no GPU, no CUDA 11.x
 * libraries).
 */
class CudaBackendTest extends BackendConformanceTest {
    @Override
    protected Backend create() {
        CudaAssumptions.assumeUsable(CudaBackendTest.class);
        return new CudaBackend();
    }
}
