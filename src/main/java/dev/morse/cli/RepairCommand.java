package dev.morse.cli;

import dev.morse.experiment.RunsFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code morse repair DIR}: moves the damaged lines of a runs.jsonl aside, deleting nothing. */
@Command(name = "repair", mixinStandardHelpOptions = true,
        description = {"Move the lines of DIR/runs.jsonl that are not run records (a torn last line, a damaged line, "
                + "a second record of a run already recorded) to DIR/" + RunsFile.BAD + ", verbatim, and keep the rest "
                + "in order. Nothing is deleted. Afterwards morse run --resume runs the runs that lost their record again."})
public final class RepairCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ResultsDirArgument results = new ResultsDirArgument();

    @Override
    public Integer call() throws IOException {
        RunsFile.Repair r = results.locked("morse repair", RunsFile::repair);
        Path dir = results.dir;
        PrintWriter out = spec.commandLine().getOut();
        if (r.moved() == 0) {
            out.println(dir.resolve("runs.jsonl") + " is whole: " + r.kept() + " records, nothing moved");
        } else {
            out.println("kept " + r.kept() + " records; moved " + r.moved() + " lines to " + dir.resolve(RunsFile.BAD)
                    + " (" + r.unreadable() + " not run records, " + r.duplicates() + " duplicate records, " + r.torn()
                    + " torn last line); run morse report " + dir + " or morse run ... --resume next");
        }
        out.flush();
        return 0;
    }
}
