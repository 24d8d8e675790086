package dev.morse.backend.cuda;

import dev.morse.backend.DArray;
import jcuda.driver.CUdeviceptr;

/** A float64 array in device memory; all access goes through its {@link CudaBackend}. */
final class CudaArray extends DeviceArray implements DArray, DeviceBuffer {
    private final long length;

    CudaArray(CudaBackend owner, long length, CUdeviceptr ptr) {
        super(owner, 8 * length, ptr, "cuda array");
        this.length = length;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public long elements() {
        return length;
    }

    @Override
    public boolean ints() {
        return false;
    }
}
