package dev.morse.backend.cuda;

import dev.morse.backend.Backend;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * Device memory owned by one array of a {@link CudaBackend} (float64 or int32): its pointer
 * until close, which hands it back to the backend; all access goes through the backend.
 */
abstract class DeviceArray {
    private final CudaBackend owner;
    private final long bytes;
    private final String kind;
    private CUdeviceptr ptr;

    DeviceArray(CudaBackend owner, long bytes, CUdeviceptr ptr, String kind) {
        this.owner = owner;
        this.bytes = bytes;
        this.ptr = ptr;
        this.kind = kind;
    }

    /** The device pointer; throws after close. */
    final CUdeviceptr ptr() {
        if (ptr == null) {
            throw new IllegalStateException(kind + " used after close");
        }
        return ptr;
    }

    public final Backend backend() {
        return owner;
    }

    /** Detaches the storage (the backend is closing and frees it); returns the pointer. */
    final CUdeviceptr invalidate() {
        CUdeviceptr p = ptr;
        ptr = null;
        return p;
    }

    public final void close() {
        if (ptr != null) {
            CUdeviceptr p = ptr;
            ptr = null;
            owner.released(this, bytes, p);
        }
    }

    /** Frees the device memory (called by the backend, with its context current). */
    static void free(CUdeviceptr p) {
        JCudaDriver.cuMemFree(p);
    }
}
