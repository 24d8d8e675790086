package dev.morse.nn;

import dev.morse.backend.UnaryFn;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Activations of the MLP builder; each is an elementwise function of the one table
 * ({@link UnaryFn}: f, f′, f″). Spec names are the constants' names in lower case
 * ({@link #specName()}); {@link #names()} lists them for the spec language and the CLI.
 */
public enum Activation {
    IDENTITY(UnaryFn.IDENTITY),
    TANH(UnaryFn.TANH),
    SIGMOID(UnaryFn.SIGMOID),
    SWISH(UnaryFn.SWISH),
    SOFTPLUS(UnaryFn.SOFTPLUS),
    RELU(UnaryFn.RELU),
    GELU(UnaryFn.GELU),
    ELU(UnaryFn.ELU),
    LEAKY_RELU(UnaryFn.LEAKY_RELU),
    SELU(UnaryFn.SELU),
    MISH(UnaryFn.MISH);

    private final UnaryFn fn;

    Activation(UnaryFn fn) {
        this.fn = fn;
    }

    public UnaryFn fn() {
        return fn;
    }

    /** The name in specs and on the command line: "swish", "leaky_relu", ... */
    public String specName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Every spec name, in declaration order. */
    public static String[] names() {
        List<String> out = new ArrayList<>();
        for (Activation a : values()) {
            out.add(a.specName());
        }
        return out.toArray(new String[0]);
    }

    /** Parses a spec name ("swish", "leaky_relu" or "leaky-relu", ...), with a clear error listing the choices. */
    public static Activation parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (Activation a : values()) {
            if (a.specName().equals(k)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + s + "' (expected one of "
                + String.join(", ", names()) + ")");
    }
}
