package dev.morse.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every shipped spec validates (full and quick); bad specs are rejected with the field's path. */
class SpecTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode yaml(String s) throws IOException {
        return YAML.readTree(s);
    }

    @Test
    void everyShippedExperimentValidates() throws IOException {
        List<Path> specs;
        try (Stream<Path> s = Files.walk(Path.of("experiments"))) { // with reduced/ and variants/
            specs = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(specs.size() >= 10, "experiments/ holds E1-E9 and the quickstart");
        for (int e = 1; e <= 9; e++) {
            int ee = e;
            assertTrue(specs.stream().anyMatch(p -> p.getParent().equals(Path.of("experiments"))
                    && p.getFileName().toString().startsWith("e" + ee + "-")), "E" + e);
        }
        for (Path p : specs) {
            if (Suite.isSuite(p)) {
                assertTrue(Suite.load(p).size() >= 2, p.toString());
                continue;
            }
            Spec full = Spec.load(p, false);
            Spec quick = Spec.load(p, true);
            assertNotEquals(full.hash(), quick.hash(), p + ": quick differs from full");
            assertEquals(full.name(), p.getFileName().toString().replace(".yaml", ""), "name matches the file");
            assertTrue(quick.totalRuns() <= full.totalRuns(), p.toString());
        }
    }

    private static String message(String spec) {
        return assertThrows(SpecException.class, () -> Spec.parse(yaml(spec), false)).getMessage();
    }

    private static final String OK = "name: t\nproblem: {kind: quartic}\nstart: {kind: uniform, low: [-1, -1], high: [1, 1]}\n"
            + "methods:\n  - {kind: newton-mr, runs: 2, iterations: 5}\n";

    @Test
    void aValidSpecParses() throws IOException {
        Spec s = Spec.parse(yaml(OK), false);
        assertEquals(1e-10, s.methods().get(0).num("rtol"), "an analytic problem defaults to rtol 1e-10");
        assertEquals(0.1, s.methods().get(0).num("alpha"));
    }

    @Test
    void unknownAndMisspelledKeysNameThePath() {
        String m = message(OK.replace("iterations: 5", "iterations: 5, rtoll: 1e-3"));
        assertTrue(m.startsWith("methods[0].rtoll: unknown key") && m.contains("did you mean \"rtol\""), m);
        m = message(OK + "seeed: 3\n");
        assertTrue(m.startsWith("seeed: unknown key") && m.contains("\"seed\""), m);
    }

    @Test
    void wrongTypesAndImpossibleValuesNameThePath() {
        String m = message(OK.replace("runs: 2", "runs: two"));
        assertTrue(m.startsWith("methods[0].runs: expected an integer"), m);
        m = message(OK.replace("runs: 2", "runs: 0"));
        assertTrue(m.startsWith("methods[0].runs: must be in [1,"), m);
        m = message(OK.replace("newton-mr", "newton-rm"));
        assertTrue(m.startsWith("methods[0].kind: expected one of") && m.contains("did you mean \"newton-mr\""), m);
        m = message(OK.replace("high: [1, 1]", "high: [1, -2]"));
        assertTrue(m.startsWith("start.high[1]: must exceed low[1]"), m);
        m = message(OK.replace("iterations: 5}", "iterations: 5, beta: 1.5}"));
        assertTrue(m.startsWith("methods[0].beta: must be in (0.0, 1.0]"), m);
        m = message("name: t\nproblem: {kind: mlp, widths: [4, 2], loss: mse, data: {source: mnist, crop: 20, resize: 3}}\n"
                + "methods:\n  - {kind: newton-mr, runs: 1, iterations: 1}\n");
        assertTrue(m.startsWith("problem.data.resize: must divide"), m);
    }

    @Test
    void quickNeedsAQuickBlockAndMergesIt() throws IOException {
        SpecException e = assertThrows(SpecException.class, () -> Spec.parse(yaml(OK), true));
        assertTrue(e.getMessage().contains("no quick: block"), e.getMessage());
        Spec q = Spec.parse(yaml(OK + "quick:\n  methods:\n    - {kind: newton-mr, runs: 1, iterations: 2}\n"), true);
        assertEquals(1, q.methods().get(0).runs());
        assertEquals(2, q.methods().get(0).iterations());
    }
}
