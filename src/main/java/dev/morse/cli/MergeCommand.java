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
        description = "Join the results directories of the shards of one batch (morse run --shard i/n) into one, "
                + "and rebuild its report.")
public final class MergeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, description = "The merged results directory.")
    Path out;

    @Parameters(paramLabel = "SHARD", arity = "1..*", description = "Shard results directories.")
    List<Path> shards;

    @Override
    public Integer call() throws IOException {
        int n = Merge.merge(out, shards);
        spec.commandLine().getOut().println("merged " + n + " runs from " + shards.size() + " directories into " + out);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
