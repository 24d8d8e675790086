package dev.morse.cli;

/** Bad input from the user (spec, files, options): a one-line message and exit code 2, no stack trace. */
public class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
