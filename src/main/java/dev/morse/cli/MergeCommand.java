package dev.morse.cli;

import dev.morse.experiment.Merge;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code morse merge --out DIR SHARD...}: joins the results directories of a sharded batch. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Join the results directories of the shards of one batch (morse run --shard i/n) into one, "
                + "with every file its records name (traces, spectra, thetas), and rebuild its report.",
                "Checked first, before anything is written: one spec (hash) and one shard count n; shards 1..n all "
                        + "given and each complete (unless --partial); a run in two directories must have the same "
                        + "record; --out is new, empty, or a previous merge of the same shards. Exit 0 ok, 1 the "
                        + "report failed (records merged), 2 a check failed."})
public final class MergeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, description = "The merged results directory.")
    Path out;

    @Option(names = "--partial", description = "Merge even when shards are missing or unfinished (said in the "
            + "output and in merge.json).")
    boolean partial;

    @Parameters(paramLabel = "SHARD", arity = "1..*", description = "Shard results directories.")
    List<Path> shards;

    @Override
    public Integer call() throws IOException {
        java.io.PrintStream err = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true);
        Merge.Result r = Merge.merge(out, shards, partial, err);
        spec.commandLine().getOut().println(r.describe());
        spec.commandLine().getOut().flush();
        return r.reportError() == null ? 0 : 1;
    }
}
