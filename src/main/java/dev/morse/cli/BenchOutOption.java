package dev.morse.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --out DIR}: where a benchmark writes its tables (a picocli mixin of the bench suites). */
final class BenchOutOption {
    @Option(names = "--out", defaultValue = "bench-results", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;
}
