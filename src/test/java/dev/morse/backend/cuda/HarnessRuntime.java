package dev.morse.backend.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@link KernelRuntime} that records launches into a script for the host harness
 * (native/harness), which runs the host-compiled kernels on the recorded buffers; after
 * {@link #run} the buffers hold the kernels' results.
 */
final class HarnessRuntime implements KernelRuntime {

    /** A float64 or int32 buffer mirrored into the script. */
    class HostBuffer implements DeviceBuffer {
        final int id;
        final double[] d;
        final int[] i;

        HostBuffer(int id, double[] d, int[] i) {
            this.id = id;
            this.d = d;
            this.i = i;
        }

        @Override
        public long elements() {
            return d != null ? d.length : i.length;
        }

        @Override
        public boolean ints() {
            return i != null;
        }
    }

    final class HostIntBuffer extends HostBuffer implements DeviceIntBuffer {
        private final LabelShadow shadow;

        HostIntBuffer(int id, int[] v) {
            super(id, null, v);
            shadow = new LabelShadow(v.length);
            shadow.write(v, 0, 0, v.length);
        }

        @Override
        public LabelShadow shadow() {
            return shadow;
        }

        @Override
        public boolean ints() {
            return true;
        }
    }

    private final StringBuilder script = new StringBuilder();
    private final List<HostBuffer> buffers = new ArrayList<>();
    private final Map<Workspace, HostBuffer> workspaces = new EnumMap<>(Workspace.class);
    private int launches;
    private final java.util.Set<Kernel> launched = java.util.EnumSet.noneOf(Kernel.class);

    /** A float64 buffer with these initial contents (copied). */
    HostBuffer doubles(double[] init) {
        HostBuffer b = new HostBuffer(buffers.size() + 1, init.clone(), null);
        buffers.add(b);
        script.append("buf ").append(b.id).append(" f64 ").append(init.length);
        for (double v : init) {
            script.append(' ').append(Double.toHexString(v));
        }
        script.append('\n');
        return b;
    }

    HostIntBuffer ints(int[] init) {
        HostIntBuffer b = new HostIntBuffer(buffers.size() + 1, init.clone());
        buffers.add(b);
        script.append("buf ").append(b.id).append(" i32 ").append(init.length);
        for (int v : init) {
            script.append(' ').append(v);
        }
        script.append('\n');
        return b;
    }

    int launches() {
        return launches;
    }

    /** The kernels launched so far. */
    java.util.Set<Kernel> launched() {
        return java.util.EnumSet.copyOf(launched);
    }

    @Override
    public DeviceBuffer workspace(Workspace slot, long doubles) {
        HostBuffer w = workspaces.get(slot);
        if (w == null || w.elements() < doubles) {
            // grown as the CUDA context does; NaN-filled so that an unwritten partial shows
            double[] init = new double[Math.toIntExact(doubles)];
            java.util.Arrays.fill(init, Double.NaN);
            w = doubles(init);
            workspaces.put(slot, w);
        }
        return w;
    }

    @Override
    public void launch(Kernel kernel, LaunchConfig.Grid g, KernelArgs a) {
        a.check(kernel);
        launches++;
        launched.add(kernel);
        script.append("launch ").append(kernel.symbol()).append(' ')
                .append(g.gx()).append(' ').append(g.gy()).append(' ').append(g.gz()).append(' ')
                .append(g.bx()).append(' ').append(g.by()).append(' ').append(g.bz()).append(' ')
                .append(a.count());
        for (int k = 0; k < a.count(); k++) {
            switch (a.type(k)) {
                case I32 -> script.append(" i32 ").append(a.integer(k));
                case I64 -> script.append(" i64 ").append(a.integer(k));
                case F64 -> script.append(" f64 ").append(Double.toHexString(a.real(k)));
                case PTR_F64, PTR_I32 -> {
                    DeviceBuffer b = a.buffer(k);
                    if (b == null) {
                        script.append(" null");
                    } else {
                        script.append(" ptr ").append(((HostBuffer) b).id).append(' ').append(a.offset(k));
                    }
                }
                default -> throw new AssertionError(a.type(k));
            }
        }
        script.append('\n');
    }

    /** Runs the recorded script with the harness binary and reads every buffer back. */
    void run(Path harness, Path workDir) throws IOException, InterruptedException {
        StringBuilder s = new StringBuilder(script);
        for (HostBuffer b : buffers) {
            s.append("dump ").append(b.id).append('\n');
        }
        s.append("end\n");
        Path in = Files.createTempFile(workDir, "script", ".txt");
        Path out = Files.createTempFile(workDir, "out", ".txt");
        Path err = Files.createTempFile(workDir, "err", ".txt");
        try {
            Files.writeString(in, s, StandardCharsets.US_ASCII);
            Process p = new ProcessBuilder(harness.toString(), in.toString())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("harness timed out");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("harness failed (exit " + p.exitValue() + "): " + Files.readString(err));
            }
            parse(Files.readAllLines(out, StandardCharsets.US_ASCII));
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private void parse(List<String> lines) {
        if (lines.size() != buffers.size()) {
            throw new AssertionError("harness dumped " + lines.size() + " buffers, expected " + buffers.size());
        }
        for (String line : lines) {
            String[] t = line.trim().split(" ");
            HostBuffer b = buffers.get(Integer.parseInt(t[1]) - 1);
            int len = Integer.parseInt(t[3]);
            if (len != b.elements() || t.length != 4 + len) {
                throw new AssertionError("harness dump of buffer " + b.id + " has the wrong length");
            }
            for (int k = 0; k < len; k++) {
                if (b.d != null) {
                    b.d[k] = parseC(t[4 + k]);
                } else {
                    b.i[k] = Integer.parseInt(t[4 + k]);
                }
            }
        }
    }

    /** Parses C's %a output (hex floats, inf, nan). */
    static double parseC(String s) {
        switch (s) {
            case "nan", "-nan": return Double.NaN;
            case "inf": return Double.POSITIVE_INFINITY;
            case "-inf": return Double.NEGATIVE_INFINITY;
            default: return Double.parseDouble(s);
        }
    }
}
