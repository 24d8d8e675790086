package dev.morse.backend.cuda;

/**
 * Where {@link KernelOps} runs its kernels: the CUDA context (JCuda, a real launch on the
 * stream) or, in the tests, the host harness that executes the same kernel sources on the
 * CPU. Calls are stream-ordered: a workspace handed out is free again for the next kernel.
 */
public interface KernelRuntime {
    /** Scratch buffers, one per slot, grown on demand and kept (a warm call allocates nothing). */
    enum Workspace {
        /** Stage-1 partials of the deterministic reductions. */
        PARTIALS
    }

    /** A float64 scratch buffer of at least {@code doubles} elements. */
    DeviceBuffer workspace(Workspace slot, long doubles);

    /** Launches kernel on grid (never empty) with args (already checked against its signature). */
    void launch(Kernel kernel, LaunchConfig.Grid grid, KernelArgs args);
}
