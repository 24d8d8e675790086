package dev.morse.cli;

import dev.morse.backend.Backend;
import dev.morse.backend.BackendUnavailableException;
import dev.morse.backend.Backends;
import java.io.PrintWriter;

/**
 * The CLI side of {@link Backends}: a {@code --backend} word parsed (a bad one is a user error),
 * auto's choice said in one line on stderr ("morse: backend auto → cpu (CUDA not usable: …)"),
 * and "not usable" turned into a user error.
 */
final class BackendOption {
    private BackendOption() {
    }

    static Backends.Choice parse(String name) {
        try {
            return Backends.Choice.parse(name);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
    }

    /** Opens the backend named {@code name}. */
    static Backend open(String name, PrintWriter err) {
        Backends.Choice choice = parse(name);
        try {
            Backends.Selection s = Backends.open(choice);
            say(choice, s.reason(), err);
            return s.backend();
        } catch (BackendUnavailableException e) {
            throw new UserException(e.getMessage());
        }
    }

    /** What a batch's workers will open ({@link Backends#resolve}). */
    static Backends.Resolution resolve(Backends.Choice choice, PrintWriter err) {
        try {
            Backends.Resolution r = Backends.resolve(choice);
            say(choice, r.reason(), err);
            return r;
        } catch (BackendUnavailableException e) {
            throw new UserException(e.getMessage());
        }
    }

    private static void say(Backends.Choice choice, String reason, PrintWriter err) {
        if (choice == Backends.Choice.AUTO) {
            err.println("morse: backend " + reason);
            err.flush();
        }
    }
}
