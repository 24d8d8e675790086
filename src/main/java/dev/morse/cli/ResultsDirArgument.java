package dev.morse.cli;

import dev.morse.experiment.ResultsLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Parameters;

/** {@code DIR}: a results directory written by morse run (a picocli mixin of report and repair). */
final class ResultsDirArgument {
    @Parameters(paramLabel = "DIR", description = "A results directory written by morse run.")
    Path dir;

    /** What a command does to the directory, under its lock. */
    @FunctionalInterface
    interface Body<T> {
        T apply(Path dir) throws IOException;
    }

    /**
     * {@code body} on the directory while {@code holder} holds its lock ({@link ResultsLock}); a
     * directory without runs.jsonl is a user error.
     */
    <T> T locked(String holder, Body<T> body) throws IOException {
        if (!Files.exists(dir.resolve("runs.jsonl"))) {
            throw new UserException(dir + " is not a results directory (no runs.jsonl)");
        }
        try (ResultsLock lock = ResultsLock.acquire(dir, holder)) {
            return body.apply(dir);
        }
    }
}
