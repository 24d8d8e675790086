package dev.morse.data;

/**
 * Bad or missing input data: a file that is not what it claims to be, counts that disagree,
 * a preprocessing request the data cannot satisfy, MNIST that can be neither found nor
 * fetched. The message is one line that names the file (or step) and says what was expected
 * and what was found, so the CLI can print it as is and exit with status 2.
 */
public final class DataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(oneLine(message));
    }

    public DataException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** Line breaks (e.g. from a tool's stderr) would break the CLI's one-line contract. */
    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " / ").strip();
    }
}
