package dev.morse.backend.cuda;

import java.util.Locale;

/** One CUDA device as `morse info` lists it. */
public record DeviceInfo(int ordinal, String name, int ccMajor, int ccMinor, long totalBytes, int multiprocessors) {
    public String computeCapability() {
        return ccMajor + "." + ccMinor;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "cuda:%d %s (compute capability %d.%d, %.1f GiB, %d SMs)",
                ordinal, name, ccMajor, ccMinor, totalBytes / (double) (1L << 30), multiprocessors);
    }
}
