package dev.morse.backend.cpu;

import dev.morse.backend.Backend;
import dev.morse.backend.BackendConformanceTest;

/** The Backend contract on the CPU (OpenBLAS) backend. */
class CpuBackendTest extends BackendConformanceTest {
    @Override
    protected Backend create() {
        return new CpuBackend();
    }
}
