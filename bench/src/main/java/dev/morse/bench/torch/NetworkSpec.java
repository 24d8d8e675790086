package dev.morse.bench.torch;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * One benchmark network, written {@code W0-W1-...-WL@N[:mse][:nobias]}: layer widths (input first,
 * output last), number of examples, and flags. Without {@code :mse} the loss is mean softmax
 * cross-entropy over integer labels; without {@code :nobias} every layer has a bias.
 *
 * @param widths  layer widths W0..WL, at least two, all positive
 * @param examples number of examples N
 * @param mse     mean squared error instead of cross-entropy
 * @param bias    biases on every layer
 */
public record NetworkSpec(int[] widths, int examples, boolean mse, boolean bias) {

    public NetworkSpec {
        if (widths.length < 2) {
            throw new IllegalArgumentException("a network needs at least two widths, got " + widths.length);
        }
        for (int w : widths) {
            if (w <= 0) throw new IllegalArgumentException("widths must be positive, got " + w);
        }
        if (examples <= 0) throw new IllegalArgumentException("examples must be positive, got " + examples);
        widths = widths.clone();
    }

    /** Parses {@code W0-W1-...-WL@N[:mse][:nobias]}; flags may come in either order. */
    public static NetworkSpec parse(String text) {
        String[] parts = text.trim().split(":");
        String[] core = parts[0].split("@");
        if (core.length != 2) {
            throw new IllegalArgumentException("network '" + text + "': expected W0-W1-...-WL@N[:mse][:nobias]");
        }
        boolean mse = false;
        boolean bias = true;
        for (int i = 1; i < parts.length; i++) {
            switch (parts[i]) {
                case "mse" -> mse = true;
                case "nobias" -> bias = false;
                default -> throw new IllegalArgumentException(
                        "network '" + text + "': unknown flag '" + parts[i] + "' (known: mse, nobias)");
            }
        }
        try {
            int[] widths = Arrays.stream(core[0].split("-")).mapToInt(Integer::parseInt).toArray();
            return new NetworkSpec(widths, Integer.parseInt(core[1]), mse, bias);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("network '" + text + "': " + e.getMessage(), e);
        }
    }

    /** Number of layers L (weight matrices). */
    public int layers() {
        return widths.length - 1;
    }

    /** Number of parameters: Σ W_l·W_{l+1} (+ W_{l+1} per bias). */
    public long parameterCount() {
        long n = 0;
        for (int l = 0; l < layers(); l++) {
            n += (long) widths[l] * widths[l + 1] + (bias ? widths[l + 1] : 0);
        }
        return n;
    }

    /** The name written in the CSV: widths and examples, without flags (e.g. {@code 784-1024-10@60000}). */
    public String name() {
        return Arrays.stream(widths).mapToObj(Integer::toString).collect(Collectors.joining("-")) + "@" + examples;
    }

    @Override
    public int[] widths() {
        return widths.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkSpec s && Arrays.equals(widths, s.widths) && examples == s.examples
                && mse == s.mse && bias == s.bias;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(widths) + Integer.hashCode(examples) * 4 + (mse ? 2 : 0) + (bias ? 1 : 0);
    }

    @Override
    public String toString() {
        return name() + (mse ? ":mse" : "") + (bias ? "" : ":nobias");
    }
}
