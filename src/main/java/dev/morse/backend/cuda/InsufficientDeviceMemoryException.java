package dev.morse.backend.cuda;

/** A computation does not fit into the GPU's memory; the message names sizes and remedies. */
public final class InsufficientDeviceMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InsufficientDeviceMemoryException(String message) {
        super(message);
    }
}
