package dev.morse.backend;

import dev.morse.backend.cpu.CpuBackend;

/** The engine conformance checks on the CPU backend (a second, independent instance). */
class CpuEngineTest extends EngineConformanceTest {
    @Override
    protected Backend create() {
        return new CpuBackend();
    }
}
