package dev.morse.backend;

/**
 * The requested backend cannot run here (no driver, no device, missing libraries). An
 * expected condition, not a bug: the message is the one-line reason, and the CLI maps this
 * exception to exit code 2 without a stack trace.
 */
public final class BackendUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String backend;
    private final String reason;

    public BackendUnavailableException(String backend, String reason) {
        super(backend + " backend not usable: " + reason);
        this.backend = backend;
        this.reason = reason;
    }

    public String backend() {
        return backend;
    }

    /** Why, in one line. */
    public String reason() {
        return reason;
    }
}
