package dev.morse.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.morse.backend.cpu.CpuBackend;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Start points picked from training trajectories. Gradient descent on the deep linear
 * autoencoder drops its loss within a few steps and then creeps, so a target loss drawn
 * uniformly lands nearest one of the few early iterates again and again: sampled with
 * replacement, many runs started from the very same point (E2's 100 runs had 36 distinct
 * start iterates) and were counted as independent runs.
 */
class StartPointsTest {
    private static Spec spec(String select, int runs) throws IOException {
        String yaml = "name: start-test\nseed: 2\nproblem: {kind: deep-linear-autoencoder, data: {source: gaussian, n: 200}}\n"
                + "start: {kind: optimizer, optimizer: gd, lr: 0.1, steps: 60, trajectories: 2, select: " + select + "}\n"
                + "methods:\n  - {kind: newton-mr, runs: " + runs + ", iterations: 1}\n";
        return Spec.parse(new ObjectMapper(new YAMLFactory()).readTree(yaml), false);
    }

    private static List<StartPoints.StartPoint> make(Spec s, int count) {
        Problem p = Problem.build(s.problem(), null);
        try (CpuBackend be = new CpuBackend()) {
            return StartPoints.make(s, p, be, count);
        }
    }

    @Test
    void noTwoRunsStartFromTheSameIterate() throws IOException {
        for (String select : new String[] {"loss", "iteration"}) {
            List<StartPoints.StartPoint> pts = make(spec(select, 40), 40);
            Set<String> seen = new HashSet<>();
            for (StartPoints.StartPoint sp : pts) {
                assertTrue(seen.add(sp.trajectory() + ":" + sp.step()),
                        select + ": iterate " + sp.trajectory() + ":" + sp.step() + " picked twice");
            }
        }
    }

    @Test
    void aLongerBatchKeepsTheStartsOfAShorterOne() throws IOException {
        List<StartPoints.StartPoint> a = make(spec("loss", 10), 10);
        List<StartPoints.StartPoint> b = make(spec("loss", 30), 30);
        for (int r = 0; r < a.size(); r++) {
            assertEquals(a.get(r).step(), b.get(r).step());
            assertEquals(a.get(r).trajectory(), b.get(r).trajectory());
        }
    }

    @Test
    void moreRunsThanIteratesComeRoundAgain() throws IOException {
        // 2 trajectories × 61 iterates = 122 points; 150 runs reuse 28 of them
        List<StartPoints.StartPoint> pts = make(spec("loss", 150), 150);
        Set<String> seen = new HashSet<>();
        for (StartPoints.StartPoint sp : pts.subList(0, 122)) {
            assertTrue(seen.add(sp.trajectory() + ":" + sp.step()));
        }
        assertEquals(122, seen.size());
    }

    private static Spec initSpec(String init) throws IOException {
        String yaml = "name: init-test\nseed: 4\nproblem: {kind: deep-linear-autoencoder, data: {source: gaussian, n: 200}}\n"
                + "start: {kind: init" + init + "}\n"
                + "methods:\n  - {kind: newton-mr, runs: 40, iterations: 1}\n";
        return Spec.parse(new ObjectMapper(new YAMLFactory()).readTree(yaml), false);
    }

    /** Sample standard deviation of all the entries of the points. */
    private static double sampleStd(List<StartPoints.StartPoint> pts) {
        double s = 0;
        double s2 = 0;
        long m = 0;
        for (StartPoints.StartPoint sp : pts) {
            for (double v : sp.theta()) {
                s += v;
                s2 += v * v;
                m++;
            }
        }
        double mean = s / m;
        return Math.sqrt(s2 / m - mean * mean);
    }

    @Test
    void normalInitHasTheAuthorsScaleOrTheStdGiven() throws IOException {
        // the linear autoencoder 16-4-16: N = 128; the authors' Network.initialize draws N(0, 1/N)
        List<StartPoints.StartPoint> authors = make(initSpec(", init: {scheme: normal}"), 40);
        // 40 x 128 draws: the sample std is within a few 1/sqrt(2 x 5120) relative of the truth
        assertEquals(1 / Math.sqrt(128), sampleStd(authors), 0.05 / Math.sqrt(128));
        List<StartPoints.StartPoint> given = make(initSpec(", init: {scheme: normal, std: 0.3}"), 40);
        assertEquals(0.3, sampleStd(given), 0.05 * 0.3);
        // the LeCun default is larger: N(0, 1/16) and N(0, 1/4) entries
        List<StartPoints.StartPoint> lecun = make(initSpec(""), 40);
        assertTrue(sampleStd(lecun) > 2.5 * sampleStd(authors), "lecun " + sampleStd(lecun));
    }

    @Test
    void initScaleWithTheNormalSchemeIsRefused() {
        SpecException e = org.junit.jupiter.api.Assertions.assertThrows(SpecException.class,
                () -> initSpec(", init_scale: 2, init: {scheme: normal}"));
        assertTrue(e.getMessage().contains("init_scale"), e.getMessage());
    }
}
