package dev.morse.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What each index route needs in memory at N, estimated before anything is allocated, and the
 * route {@code auto} resolves to. The dense routes hold H once (assembled straight into the
 * index workspace by {@code hvpBlock}) plus the factorization's workspace:
 * <ul>
 *   <li>spectrum, CPU: 8N² for H, 8·(3N + 2) for the eigenvalues, a diagonal helper and dsyevd's
 *       workspace without vectors (lwork = 2N + 1; liwork = 1);</li>
 *   <li>inertia, CPU: 8N² for H, 8·(N + 1) for the helper, dsytrf's workspace N·nb doubles with
 *       nb = {@value #SYTRF_NB} (OpenBLAS's block size), 4N for the pivots, and the host copy of
 *       D (20N bytes);</li>
 *   <li>on a GPU (cuSOLVER) the same arrays, each rounded up to the allocation granularity, plus
 *       the solver's own buffer, which only the device can size: assumed N² doubles for syevd
 *       (the size cuSOLVER asks for with eigenvectors, an upper bound without) and
 *       N·{@value #CUSOLVER_SYTRF_NB} for sytrf; the device keeps 5% (at least 256 MiB) in reserve
 *       as {@code DeviceMemoryEstimate} does;</li>
 *   <li>lanczos / slq: the Lanczos basis of maxPairs + steps rows, maxPairs eigenvectors and two
 *       work vectors ({@link Eigenpairs#bytes}).</li>
 * </ul>
 * These are the index's own arrays; the compiled plan (activations, tangent blocks) comes on
 * top and is the same for every route.
 *
 * <p>On the CPU a dense route also stops at {@link #CPU_MAX_DENSE_N}, whatever the memory: the
 * CPU backend's arrays are addressed by Java's int-indexed buffers (at most 2³¹ − 16 elements),
 * so H's N² elements must stay below that. The CUDA backend splits long operations into
 * int-sized pieces and has no such cap.
 */
public final class DenseRoutes {
    static final int SYTRF_NB = 64;
    static final int CUSOLVER_SYTRF_NB = 256;
    static final long ALIGN = 512;
    static final double RESERVE_FRACTION = 0.05;
    static final long MIN_RESERVE = 256L << 20;
    /** ⌊√(2³¹ − 16)⌋: the largest N whose N×N Hessian one CPU array can hold. */
    public static final int CPU_MAX_DENSE_N = 46_340;

    private DenseRoutes() {
    }

    /** Where the route runs. */
    public enum Device { CPU, GPU }

    /** Bytes route m needs at N (steps and maxPairs matter for the Krylov routes only). */
    public static long bytes(IndexEstimator.Method m, int n, Device d, int steps, int maxPairs) {
        long nn = (long) n * n;
        switch (m) {
            case SPECTRUM:
                return d == Device.CPU ? 8 * (nn + 3L * n + 2)
                        : al(8 * nn) + al(8L * n) + al(8L * (n + 1)) + al(8 * nn) + al(4);
            case INERTIA:
                return d == Device.CPU ? 8 * (nn + n + 1 + (long) SYTRF_NB * n) + 4L * n + 20L * n
                        : al(8 * nn) + al(8L * n) + al(8L * (n + 1)) + al(8L * CUSOLVER_SYTRF_NB * n) + al(4L * n) + al(4);
            case LANCZOS:
            case SLQ:
                // adaptive (steps 0): the least basis it runs with; it grows into at most half the free memory
                int s = Math.min(steps == Slq.ADAPTIVE ? Slq.DEFAULT_STEPS : steps, n);
                return Eigenpairs.bytes(n, s, Math.max(0, Math.min(maxPairs, n - s)));
            default:
                throw new IllegalArgumentException("no memory estimate for " + m);
        }
    }

    private static long al(long b) {
        return (Math.max(1, b) + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** Usable bytes on a device with this much memory: a GPU keeps its reserve, the CPU all of it. */
    public static long usable(long bytes, Device d) {
        return d == Device.CPU ? bytes : bytes - Math.max(MIN_RESERVE, (long) (RESERVE_FRACTION * bytes));
    }

    /** Whether route m can hold H at N on device d at all (the CPU's array limit), memory aside. */
    public static boolean addressable(IndexEstimator.Method m, int n, Device d) {
        return !dense(m) || d != Device.CPU || n <= CPU_MAX_DENSE_N;
    }

    private static boolean dense(IndexEstimator.Method m) {
        return m == IndexEstimator.Method.SPECTRUM || m == IndexEstimator.Method.INERTIA;
    }

    /**
     * The largest N whose route fits in {@code available} usable bytes (by bisection on the
     * estimate), and on the CPU at most {@link #CPU_MAX_DENSE_N} for a dense route.
     */
    public static int largestN(IndexEstimator.Method m, long available, Device d) {
        int lo = largestByMemory(m, available, d);
        return dense(m) && d == Device.CPU ? Math.min(lo, CPU_MAX_DENSE_N) : lo;
    }

    /** The largest N whose route's arrays fit in {@code available} usable bytes, array limits aside. */
    public static int largestByMemory(IndexEstimator.Method m, long available, Device d) {
        int lo = 0;
        int hi = Integer.MAX_VALUE / 2;
        while (lo < hi) {
            int mid = (int) (((long) lo + hi + 1) / 2);
            if (bytes(m, mid, d, Slq.DEFAULT_STEPS, IndexEstimator.DEFAULT_MAX_PAIRS) <= available) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /**
     * The route AUTO takes at N with {@code perWorker} usable bytes: spectrum while N ≤
     * spectrumMaxN and it fits, else inertia while it fits, else slq.
     */
    public static IndexEstimator.Method resolve(IndexEstimator.Method m, int n, int spectrumMaxN, long perWorker, Device d) {
        if (m != IndexEstimator.Method.AUTO) {
            return m;
        }
        if (n <= spectrumMaxN && addressable(IndexEstimator.Method.SPECTRUM, n, d)
                && bytes(IndexEstimator.Method.SPECTRUM, n, d, 0, 0) <= perWorker) {
            return IndexEstimator.Method.SPECTRUM;
        }
        if (addressable(IndexEstimator.Method.INERTIA, n, d) && bytes(IndexEstimator.Method.INERTIA, n, d, 0, 0) <= perWorker) {
            return IndexEstimator.Method.INERTIA;
        }
        return IndexEstimator.Method.SLQ;
    }

    /**
     * Null when route m fits {@code workers} copies in {@code available} bytes, else the one-line
     * refusal: N, bytes needed and available, and the route that would fit.
     */
    public static String refusal(IndexEstimator.Method m, int n, int workers, long available, Device d, int steps,
                                 int maxPairs, String what) {
        long need = Math.multiplyExact(bytes(m, n, d, steps, maxPairs), (long) workers);
        boolean addressable = addressable(m, n, d);
        if (need <= available && addressable) {
            return null;
        }
        String fit = null;
        for (IndexEstimator.Method alt : new IndexEstimator.Method[] {IndexEstimator.Method.INERTIA,
                IndexEstimator.Method.SLQ}) {
            long b = (long) workers * bytes(alt, n, d, steps, maxPairs);
            if (alt != m && b <= available && addressable(alt, n, d)) {
                fit = "index method " + alt.key() + " fits (" + gib(b) + ")";
                break;
            }
        }
        if (fit == null) {
            // the Krylov routes shrink with their step count: the most steps whose basis fits
            int rows = dev.morse.krylov.Lanczos.capacityWithin(available / workers - 16L * n, n) - maxPairs;
            int s = rows - maxPairs;
            fit = s >= 2 ? "index method slq fits with steps ≤ " + s
                    : "no index route fits: use fewer workers or a machine with more memory";
        }
        if (need <= available) {
            return String.format(Locale.ROOT, "%s at N = %d needs a dense N×N array of %d elements, but the CPU backend"
                    + " holds at most 2^31 - 16 per array (N ≤ %d for a dense route); %s",
                    what, n, (long) n * n, CPU_MAX_DENSE_N, fit);
        }
        return String.format(Locale.ROOT, "%s at N = %d needs %s (%d worker%s) but %s are available; %s",
                what, n, gib(need), workers, workers == 1 ? "" : "s", gib(available), fit);
    }

    public static String gib(long b) {
        return String.format(Locale.ROOT, "%.4g GiB (%d bytes)", b / (double) (1L << 30), b);
    }

    /** Memory the CPU can give now: MemAvailable of /proc/meminfo, else the JVM's view of free physical memory. */
    public static long cpuAvailable() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean s) {
            return s.getFreeMemorySize();
        }
        return Long.MAX_VALUE;
    }
}
