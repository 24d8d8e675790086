package dev.morse.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a set of device allocations will take, checked against the device's free memory
 * before anything is allocated, so that a plan that cannot fit fails at once with the
 * sizes named (and a suggestion) instead of half-way through with CUDA_ERROR_OUT_OF_MEMORY.
 *
 * <p>Each allocation is rounded up to {@value #ALIGNMENT} bytes (cuMemAlloc aligns at
 * least that much); {@link #requireFits} keeps a reserve for the CUDA context's own needs
 * (cuBLAS / cuSOLVER workspaces, kernel images), {@value #RESERVE_FRACTION} of total
 * memory but at least {@value #MIN_RESERVE_BYTES} bytes: an estimate, not a promise.
 */
public final class DeviceMemoryEstimate {
    /** Allocation granularity assumed per array. */
    public static final long ALIGNMENT = 512;
    /** Fraction of total device memory kept free for libraries and fragmentation. */
    public static final double RESERVE_FRACTION = 0.05;
    /** Smallest reserve, bytes (256 MiB). */
    public static final long MIN_RESERVE_BYTES = 256L << 20;

    private record Item(String what, long count, long bytes) {
    }

    private final List<Item> items = new ArrayList<>();
    private long bytes;

    /** Bytes one allocation of n elements of elemBytes each takes. */
    public static long allocationBytes(long n, int elemBytes) {
        if (n < 0) {
            throw new IllegalArgumentException("negative array length " + n);
        }
        long raw = Math.multiplyExact(Math.max(1, n), (long) elemBytes);
        return Math.addExact(raw, ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** Adds an array of n float64. */
    public DeviceMemoryEstimate doubles(String what, long n) {
        return add(what, n, allocationBytes(n, 8));
    }

    /** Adds an array of n int32. */
    public DeviceMemoryEstimate ints(String what, long n) {
        return add(what, n, allocationBytes(n, 4));
    }

    /** Adds count arrays of n float64 each. */
    public DeviceMemoryEstimate doubles(String what, long count, long n) {
        return add(what + " (" + count + "x)", Math.multiplyExact(count, n),
                Math.multiplyExact(count, allocationBytes(n, 8)));
    }

    private DeviceMemoryEstimate add(String what, long n, long b) {
        items.add(new Item(what, n, b));
        bytes = Math.addExact(bytes, b);
        return this;
    }

    public long bytes() {
        return bytes;
    }

    /** Bytes kept free on a device with totalBytes of memory. */
    public static long reserve(long totalBytes) {
        return Math.max(MIN_RESERVE_BYTES, (long) (RESERVE_FRACTION * totalBytes));
    }

    /** True if the estimate fits into freeBytes minus the reserve. */
    public boolean fits(long freeBytes, long totalBytes) {
        return bytes <= freeBytes - reserve(totalBytes);
    }

    /**
     * Throws {@link InsufficientDeviceMemoryException} naming the largest items, the
     * device's free and total memory, and what to do, unless the estimate fits.
     */
    public void requireFits(long freeBytes, long totalBytes, String device) {
        if (fits(freeBytes, totalBytes)) {
            return;
        }
        throw new InsufficientDeviceMemoryException(String.format(Locale.ROOT,
                "not enough GPU memory on %s: need %s (%s), %s free of %s with %s kept in reserve;"
                        + " use --backend cpu or a smaller batch",
                device, mib(bytes), describe(3), mib(freeBytes), mib(totalBytes), mib(reserve(totalBytes))));
    }

    /** The largest items, e.g. "activations 1.2 GiB, tangents 600.0 MiB, +3 more". */
    public String describe(int top) {
        List<Item> sorted = new ArrayList<>(items);
        sorted.sort((a, b) -> Long.compare(b.bytes, a.bytes));
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(top, sorted.size()); i++) {
            if (i > 0) {
                s.append(", ");
            }
            s.append(sorted.get(i).what).append(' ').append(mib(sorted.get(i).bytes));
        }
        if (sorted.size() > top) {
            s.append(", +").append(sorted.size() - top).append(" more");
        }
        return s.toString();
    }

    static String mib(long b) {
        if (b >= (1L << 30)) {
            return String.format(Locale.ROOT, "%.1f GiB", b / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
    }
}
