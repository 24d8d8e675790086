package dev.morse.backend.cuda;

import dev.morse.backend.IArray;
import jcuda.driver.CUdeviceptr;

/** An int32 array in device memory (labels) with its exact host copy (see {@link LabelShadow}). */
final class CudaIntArray extends DeviceArray implements IArray, DeviceIntBuffer {
    private final LabelShadow shadow;

    CudaIntArray(CudaBackend owner, int length, CUdeviceptr ptr) {
        super(owner, 4L * length, ptr, "cuda int array");
        this.shadow = new LabelShadow(length);
    }

    @Override
    public LabelShadow shadow() {
        return shadow;
    }

    @Override
    public int length() {
        return shadow.length();
    }

    @Override
    public long elements() {
        return shadow.length();
    }
}
