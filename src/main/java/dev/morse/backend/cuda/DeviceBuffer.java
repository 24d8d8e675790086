package dev.morse.backend.cuda;

/**
 * Storage that kernels read and write: a float64 or int32 array in device memory (or, in
 * the host harness, in host memory). Kernel arguments refer to (buffer, element offset).
 */
public interface DeviceBuffer {
    /** Number of elements. */
    long elements();

    /** True for int32 elements, false for float64. */
    boolean ints();
}
