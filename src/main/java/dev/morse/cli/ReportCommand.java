package dev.morse.cli;

import dev.morse.experiment.Report;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code morse report DIR}: rebuilds summary.md and the plots from a results directory. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Rebuild summary.md and the plots of a results directory from its runs.jsonl and traces.")
public final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "A results directory written by morse run.")
    Path dir;

    @Override
    public Integer call() throws IOException {
        Report.rebuild(dir);
        spec.commandLine().getOut().println("rebuilt " + dir.resolve("summary.md") + " and " + dir.resolve("plots"));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
