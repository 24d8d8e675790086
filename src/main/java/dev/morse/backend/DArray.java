package dev.morse.backend;

/**
 * A float64 array that lives on a backend's device (off-heap memory for the CPU backend,
 * device memory for CUDA). Callers never see its storage: all access goes through the
 * owning {@link Backend}, with explicit host-device copies.
 */
public interface DArray extends AutoCloseable {
    /** Number of float64 elements. */
    long length();

    /** The backend that allocated this array; arrays must not be mixed across backends. */
    Backend backend();

    /** Frees the storage; closing twice is harmless. */
    @Override
    void close();
}
