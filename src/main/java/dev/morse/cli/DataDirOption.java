package dev.morse.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data-dir DIR}: the MNIST IDX files (a picocli mixin of eval and the bench suites that read MNIST). */
final class DataDirOption {
    @Option(names = "--data-dir", paramLabel = "DIR", description = "Directory with the MNIST IDX files.")
    Path dataDir;
}
