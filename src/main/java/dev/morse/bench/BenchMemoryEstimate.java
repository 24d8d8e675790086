package dev.morse.bench;

import dev.morse.ad.Plan;
import dev.morse.ad.Program;
import dev.morse.backend.cuda.DeviceFreeCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The device memory a plan of each benchmark network needs ({@link Plan#estimateBytes}: the
 * bytes the plan allocates, 512-byte granularity), for one HVP (block capacity k = 1) and per
 * further direction of hvpBlock, computed without a device: what {@code CudaBackend.ensureFits}
 * will compare with the device's free memory. Each row also checks the estimate against lower
 * bounds counted independently: the input matrix and θ, g, v, Hv must be in it, and every
 * further direction brings at least its own v and Hv.
 */
public final class BenchMemoryEstimate {
    private BenchMemoryEstimate() {
    }

    /** One row per network of {@link HvpBench#NETWORKS}. */
    public static List<DeviceFreeCheck.Row> rows() {
        List<DeviceFreeCheck.Row> rows = new ArrayList<>();
        for (String spec : HvpBench.NETWORKS) {
            rows.add(row(HvpBench.Net.parse(spec)));
        }
        return rows;
    }

    static DeviceFreeCheck.Row row(HvpBench.Net net) {
        String what = "memory " + net.name();
        try {
            Program p = net.program(1);
            int n = p.nParams();
            long one = Plan.estimateBytes(p, 1);
            long perDirection = Plan.estimateBytes(p, 2) - one;
            long lower = 8L * ((long) net.examples() * net.widths()[0] + 4L * n);
            boolean ok = one >= lower && perDirection >= 16L * n;
            return new DeviceFreeCheck.Row(what, ok, String.format(Locale.ROOT,
                    "N = %,d: a plan for one HVP %s, + %s per further direction of hvpBlock%s", n, size(one),
                    size(perDirection), ok ? "" : "; below the lower bounds " + size(lower) + " (inputs, θ, g, v, Hv) and "
                            + size(16L * n) + " (v, Hv)"));
        } catch (RuntimeException e) {
            return new DeviceFreeCheck.Row(what, false, e.toString());
        }
    }

    static String size(long b) {
        return b >= (1L << 30) ? String.format(Locale.ROOT, "%.2f GiB", b / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
    }
}
