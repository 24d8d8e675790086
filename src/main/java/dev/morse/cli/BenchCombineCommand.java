package dev.morse.cli;

import dev.morse.bench.BenchRuns;
import dev.morse.bench.HvpBench.Net;
import dev.morse.bench.HvpBench.Row;
import dev.morse.experiment.RunsFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code morse bench combine RUN...}: several runs of bench hvp as one table of medians over runs, with ranges. */
@Command(name = "combine", mixinStandardHelpOptions = true,
        description = {"Combines whole runs of `morse bench hvp` (each RUN a directory with its hvp.csv and hvp.md): "
                + "per network, implementation and operation the median of the runs' medians, with the least and "
                + "greatest as the range, and a per-run table of the headline operations.",
                "Writes hvp.csv and hvp.md to --out."})
final class BenchCombineCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "2..*", paramLabel = "RUN", description = "Directories of single runs (two or more).")
    List<Path> runs;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    private static final Pattern CPU_LINE = Pattern.compile("^- morse-cpu: OpenBLAS (.*), (\\d+) threads(?:, (.*))?$");
    private static final Pattern PEER_LINE = Pattern.compile("^- peer: (.*)$");
    private static final Pattern CUDA_LINE = Pattern.compile("^- morse-cuda: not measured \\((.*)\\)$");

    @Override
    public Integer call() throws IOException {
        List<List<Row>> perRun = new ArrayList<>();
        for (Path r : runs) {
            Path csv = r.resolve("hvp.csv");
            if (!Files.isRegularFile(csv)) {
                throw new UserException(r + " has no hvp.csv (is it the --out of a morse bench hvp run?)");
            }
            try {
                perRun.add(BenchRuns.readHvpCsv(csv));
            } catch (IllegalArgumentException e) {
                throw new UserException(e.getMessage());
            }
        }
        List<Row> combined = BenchRuns.combine(perRun);
        // the first run's header says what ran (BLAS, threads, peer); the runs are of one machine
        String blas = "?";
        int threads = 0;
        String spin = "OPENBLAS_THREAD_TIMEOUT not recorded";
        String peer = "?";
        String cudaWhy = null;
        Path md1 = runs.get(0).resolve("hvp.md");
        if (Files.isRegularFile(md1)) {
            for (String l : Files.readAllLines(md1)) {
                Matcher m = CPU_LINE.matcher(l);
                if (m.matches()) {
                    blas = m.group(1);
                    threads = Integer.parseInt(m.group(2));
                    if (m.group(3) != null) {
                        spin = m.group(3);
                    }
                }
                m = PEER_LINE.matcher(l);
                if (m.matches()) {
                    peer = m.group(1);
                }
                m = CUDA_LINE.matcher(l);
                if (m.matches()) {
                    cudaWhy = m.group(1);
                }
            }
        }
        List<Net> nets = new ArrayList<>();
        for (Row r : combined) {
            if (r.implementation().equals("morse-cpu") && r.operation().equals("gradient")) {
                nets.add(BenchRuns.net(r.network()));
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("# morse bench hvp: ").append(runs.size()).append(" runs\n\n");
        md.append("Each figure below is the median over ").append(runs.size())
                .append(" whole runs of each run's own median; \"spread\" is the range of the run medians ")
                .append("(greatest − least) over their median. The runs: ");
        for (int i = 0; i < runs.size(); i++) {
            md.append(i == 0 ? "" : ", ").append('`').append(runs.get(i).getFileName()).append('`');
        }
        md.append(". Rows one run lacks are left out.\n\n");
        String table = BenchCommand.Hvp.markdown(nets, combined, threads, blas, spin, peer, cudaWhy);
        md.append(table.substring(table.indexOf('\n') + 1)); // its own title replaced by ours
        md.append("\n## Per run (ms)\n\n| network | operation | ");
        for (int i = 0; i < runs.size(); i++) {
            md.append("run ").append(i + 1).append(" | ");
        }
        md.append("median (range) |\n|---|---|");
        md.append("---:|".repeat(runs.size() + 1)).append('\n');
        Map<String, Row> byKey = new LinkedHashMap<>();
        for (Row r : combined) {
            byKey.put(r.network() + "|" + r.implementation() + "|" + r.operation(), r);
        }
        String[][] ops = {{"morse-cpu", "gradient"}, {"morse-cpu", "hvp_marginal"}, {"libtorch", "gradient"},
            {"libtorch", "hvp"}};
        for (Net net : nets) {
            for (String[] op : ops) {
                Row c = byKey.get(net.name() + "|" + op[0] + "|" + op[1]);
                if (c == null) {
                    continue;
                }
                md.append("| ").append(net.name()).append(" | ").append(op[0]).append(' ').append(op[1]).append(" | ");
                for (List<Row> run : perRun) {
                    for (Row r : run) {
                        if (r.network().equals(net.name()) && r.implementation().equals(op[0])
                                && r.operation().equals(op[1])) {
                            md.append(BenchCommand.Hvp.ms(r.t().medianS())).append(" | ");
                        }
                    }
                }
                md.append(BenchCommand.Hvp.ms(c.t().medianS())).append(" (").append(BenchCommand.Hvp.ms(c.t().minS())).append('-')
                        .append(BenchCommand.Hvp.ms(c.t().maxS())).append(") |\n");
            }
        }
        StringBuilder csv = new StringBuilder("network,implementation,operation,median_s,min_s,max_s,reps\n");
        for (Row r : combined) {
            csv.append(r.csv()).append('\n');
        }
        Files.createDirectories(out);
        RunsFile.writeAtomically(out.resolve("hvp.csv"), csv.toString());
        RunsFile.writeAtomically(out.resolve("hvp.md"), md.toString());
        PrintWriter o = spec.commandLine().getOut();
        o.print(md);
        o.println();
        o.println("wrote " + out.resolve("hvp.csv") + " and " + out.resolve("hvp.md")
                + " (hvp.csv: median, least and greatest of the run medians; reps = runs)");
        o.flush();
        return 0;
    }
}
