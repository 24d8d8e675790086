package dev.morse.nn;

import dev.morse.backend.UnaryFn;
import java.util.Locale;

/** Hidden-layer activations; each is an elementwise primitive with its first and second derivative. */
public enum Activation {
    IDENTITY(UnaryFn.IDENTITY),
    TANH(UnaryFn.TANH),
    SIGMOID(UnaryFn.SIGMOID),
    SWISH(UnaryFn.SWISH),
    SOFTPLUS(UnaryFn.SOFTPLUS),
    RELU(UnaryFn.RELU);

    private final UnaryFn fn;

    Activation(UnaryFn fn) {
        this.fn = fn;
    }

    public UnaryFn fn() {
        return fn;
    }

    /** Parses a spec name ("swish", "tanh", ...), with a clear error listing the choices. */
    public static Activation parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown activation '" + s + "' (expected one of "
                    + java.util.Arrays.toString(values()).toLowerCase(Locale.ROOT) + ")");
        }
    }
}
