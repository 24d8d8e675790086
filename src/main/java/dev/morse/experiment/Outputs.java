package dev.morse.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Writing into a results directory: one-line descriptions of I/O failures (the path and the
 * cause, never a stack trace), and the fault-injection point the tests use to make a write
 * fail as a full disk would.
 */
public final class Outputs {
    /** Called before every write into a results directory; tests make it throw. */
    @FunctionalInterface
    interface Faults {
        Faults NONE = p -> { };

        void beforeWrite(Path file) throws IOException;
    }

    static volatile Faults faults = Faults.NONE;

    private Outputs() {
    }

    /** The injected fault for a write to {@code file}, if any. */
    static void beforeWrite(Path file) throws IOException {
        faults.beforeWrite(file);
    }

    /** "path: cause" on one line, for any I/O failure. */
    public static String cause(Throwable e) {
        if (e instanceof UncheckedIOException && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof NoSuchFileException f) {
            return f.getFile() + ": no such file or directory";
        }
        if (e instanceof AccessDeniedException f) {
            return f.getFile() + ": permission denied";
        }
        if (e instanceof FileAlreadyExistsException f) {
            return f.getFile() + ": exists (and is not what was expected there)";
        }
        if (e instanceof NotDirectoryException f) {
            return f.getFile() + ": not a directory";
        }
        if (e instanceof FileSystemException f) {
            String reason = f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
            return (f.getFile() != null ? f.getFile() + ": " : "") + reason;
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    /** A write into a results directory failed mid-batch: one line, exit 1, records already written stay whole. */
    public static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
