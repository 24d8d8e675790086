package dev.morse.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.morse.backend.Backends;
import dev.morse.index.HessianOperator;
import dev.morse.krylov.MinresQlp;
import dev.morse.newton.DampedNewton;
import dev.morse.newton.GradNormMin;
import dev.morse.newton.NewtonMr;
import dev.morse.optim.Bfgs;
import dev.morse.optim.LevenbergMarquardt;
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
        NewtonMr.Options o = ((MethodOptions.NewtonMrMethod) s.methods().get(0).options()).options();
        assertEquals(1e-10, o.solver().rtol(), "an analytic problem defaults to rtol 1e-10");
        assertEquals(0.1, o.alpha());
    }

    private static MethodOptions method(String keys) throws IOException {
        return Spec.parse(yaml("name: t\nproblem: {kind: mlp, widths: [4, 2], loss: mse, data: {source: gaussian, "
                + "features: 4}}\nmethods:\n  - {runs: 1, iterations: 7, " + keys + "}\n"), false)
                .methods().get(0).options();
    }

    @Test
    void absentKeysAreTheSolversOwnDefaults() throws IOException {
        // the one place a default lives is the solver's options record: a spec without keys gets exactly it
        assertEquals(NewtonMr.Options.defaults().withMaxIterations(7),
                ((MethodOptions.NewtonMrMethod) method("kind: newton-mr")).options());
        DampedNewton.Options dn = ((MethodOptions.DampedNewtonMethod) method("kind: damped-newton")).options();
        DampedNewton.Options dd = DampedNewton.Options.defaults();
        assertArrayEquals(dd.gammas(), dn.gammas());
        assertEquals(dd.solver(), dn.solver(), "damped Newton's MINRES-QLP limits are its record's");
        assertEquals(dd.hessian(), dn.hessian());
        assertEquals(GradNormMin.Options.defaults().withMaxIterations(7),
                ((MethodOptions.GnmMethod) method("kind: gnm")).options());
        LevenbergMarquardt.Options lm = ((MethodOptions.LevenbergMarquardtMethod) method("kind: levenberg-marquardt"))
                .options();
        LevenbergMarquardt.Options ld = LevenbergMarquardt.Options.of(7);
        assertEquals(ld.merit(), lm.merit());
        assertEquals(ld.eps0(), lm.eps0());
        assertEquals(ld.decrease(), lm.decrease());
        assertEquals(Bfgs.Options.of(7).stop(), ((MethodOptions.BfgsMethod) method("kind: bfgs")).options().stop());
    }

    @Test
    void keysBecomeTypedOptions() throws IOException {
        NewtonMr.Options o = ((MethodOptions.NewtonMrMethod) method("kind: newton-mr, maxit: 40, hessian: matrix-free, "
                + "exit: reference, rho_prime: 0.25")).options();
        assertEquals(40, o.solver().maxit());
        assertEquals(HessianOperator.Mode.MATRIX_FREE, o.hessian());
        assertEquals(MinresQlp.Exit.REFERENCE, o.solver().exit());
        assertEquals(0.25, o.rhoPrime());
        DampedNewton.Options d = ((MethodOptions.DampedNewtonMethod) method("kind: damped-newton, acondlim: 1e9, "
                + "gammas: [0, 1]")).options();
        assertEquals(1e9, d.solver().acondlim());
        assertArrayEquals(new double[] {0, 1}, d.gammas());
        assertEquals(MethodKind.MOMENTUM, Spec.parse(yaml(OK.replace("newton-mr", "momentum")), false).methods().get(0)
                .kind());
        assertEquals(Backends.Choice.CPU, Spec.parse(yaml(OK + "backend: cpu\n"), false).backend());
        assertEquals(ProblemKind.QUARTIC, Spec.parse(yaml(OK), false).problem().kind());
    }

    @Test
    void whatTheSolverWouldRefuseIsASpecErrorNamingTheKey() {
        String m = message(OK.replace("iterations: 5}", "iterations: 5, beta: 1}"));
        assertTrue(m.startsWith("methods[0].beta: must be below 1.0"), m);
        m = message(OK.replace("iterations: 5}", "iterations: 5, rho_prime: 1.0}"));
        assertTrue(m.startsWith("methods[0].rho_prime: must be below 1.0"), m);
        m = message(OK.replace("newton-mr", "gnm").replace("iterations: 5}", "iterations: 5, rho: 0.95}"));
        assertTrue(m.startsWith("methods[0].rho: must be below 0.9"), m); // Wolfe needs c1 < c2 = 0.9
        m = message(OK.replace("newton-mr", "momentum").replace("iterations: 5}", "iterations: 5, momentum: 1}"));
        assertTrue(m.startsWith("methods[0].momentum: must be below 1.0"), m);
        m = message(OK.replace("newton-mr", "levenberg-marquardt").replace("iterations: 5}",
                "iterations: 5, epsilon: 1e12}"));
        assertTrue(m.startsWith("methods[0]: levenberg-marquardt: invalid damping schedule"), m);
        assertEquals(1, m.lines().count(), m);
        m = message(OK.replace("iterations: 5}", "iterations: 5, hessian: sparse}"));
        assertTrue(m.startsWith("methods[0].hessian: expected one of auto, dense, matrix-free"), m);
        m = message(OK.replace("iterations: 5}", "iterations: 5, exit: refrence}"));
        assertTrue(m.startsWith("methods[0].exit: expected one of minimum-length, reference")
                && m.contains("did you mean \"reference\""), m);
        m = message(OK + "backend: gpu\n");
        assertTrue(m.startsWith("backend: expected one of auto, cpu, cuda"), m);
        m = message(OK.replace("kind: quartic", "kind: quartik"));
        assertTrue(m.startsWith("problem.kind: expected one of mlp, deep-linear-autoencoder, quartic")
                && m.contains("did you mean \"quartic\""), m);
        m = message(OK + "record: {status: paper}\n");
        assertTrue(m.startsWith("record.status: expected one of text, figures"), m);
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
