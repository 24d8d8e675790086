package dev.morse.experiment;

/** A spec that cannot be run: the message names the offending field's path and what was expected. */
public final class SpecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public SpecException(String path, String message) {
        super(path.isEmpty() ? message : path + ": " + message);
    }
}
