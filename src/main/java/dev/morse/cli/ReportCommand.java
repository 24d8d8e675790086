package dev.morse.cli;

import dev.morse.experiment.Report;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code morse report DIR}: rebuilds summary.md and the plots from a results directory. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Rebuild summary.md and the plots of a results directory from its runs.jsonl and traces.",
                "Exit 0 ok, 1 a plot or the summary could not be written (one line; the records are untouched), 2 not "
                        + "a results directory, damaged records (with the repair command) or the directory in use."})
public final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ResultsDirArgument results = new ResultsDirArgument();

    @Override
    public Integer call() throws IOException {
        Path dir = results.dir;
        results.locked("morse report", d -> {
            Report.rebuild(d);
            return null;
        });
        spec.commandLine().getOut().println("rebuilt " + dir.resolve("summary.md") + " and " + dir.resolve("plots"));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
