package dev.morse.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code morse} command. Exit codes: 0 ok, 1 run failures recorded (or an internal error),
 * 2 user error (bad spec, missing data, unusable backend) with a one-line message.
 */
@Command(name = "morse", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Find and classify critical points of neural-network losses.",
        subcommands = {InfoCommand.class, RunCommand.class, EvalCommand.class, BenchCommand.class, ReportCommand.class, MergeCommand.class, RepairCommand.class,
                SelfTestCommand.class, GpuSetupCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Expected failures caused by the user's input: a one-line message and exit code 2. */
    static boolean isUserError(Throwable t) {
        return t instanceof UserException || t instanceof dev.morse.experiment.SpecException
                || t instanceof dev.morse.data.DataException || t instanceof dev.morse.backend.BackendUnavailableException
                || t instanceof dev.morse.backend.cuda.InsufficientDeviceMemoryException;
    }

    /** Failures of the file system (disk full, permissions, a vanished directory): exit 1, one line. */
    static boolean isOutputProblem(Throwable t) {
        return t instanceof dev.morse.experiment.Outputs.Failure || t instanceof java.io.IOException
                || t instanceof java.io.UncheckedIOException;
    }

    /** Builds the command line with morse's error handling (used by main and by tests). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            Throwable t = ex;
            while (t != null && !isUserError(t)) {
                t = t.getCause();
            }
            if (t != null) {
                PrintWriter err = cmd.getErr();
                err.println("morse: " + t.getMessage());
                err.flush();
                return 2;
            }
            Throwable io = ex;
            while (io != null && !isOutputProblem(io)) {
                io = io.getCause();
            }
            if (io != null) { // a write or read failed mid-command: one line, exit 1
                PrintWriter err = cmd.getErr();
                err.println("morse: " + (io instanceof dev.morse.experiment.Outputs.Failure ? io.getMessage()
                        : dev.morse.experiment.Outputs.cause(io)));
                err.flush();
                return 1;
            }
            throw ex;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
