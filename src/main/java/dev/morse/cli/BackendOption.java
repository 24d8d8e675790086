package dev.morse.cli;

import dev.morse.backend.Backend;
import dev.morse.backend.BackendUnavailableException;
import dev.morse.backend.Backends;
import java.io.PrintWriter;

/** Opens the backend a user named with --backend, turning "not usable" into a user error. */
final class BackendOption {
    private BackendOption() {
    }

    static Backend open(String name, PrintWriter err) {
        Backends.Choice choice;
        try {
            choice = Backends.Choice.parse(name);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        try {
            Backends.Selection s = Backends.open(choice);
            if (choice == Backends.Choice.AUTO) {
                err.println("morse: backend " + s.reason());
                err.flush();
            }
            return s.backend();
        } catch (BackendUnavailableException e) {
            throw new UserException(e.getMessage());
        }
    }
}
