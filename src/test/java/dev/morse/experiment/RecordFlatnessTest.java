package dev.morse.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.morse.newton.NewtonMr;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code record.flatness}: parsed into Newton-MR's options, refused beside damped Newton, shown as such in the report. */
class RecordFlatnessTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String BASE = "name: t\nproblem: {kind: quartic}\nstart: {kind: uniform, low: [-1, -1], high: [1, 1]}\n";

    private static Spec parse(String s) throws Exception {
        return Spec.parse(YAML.readTree(s), false);
    }

    private static NewtonMr.Options newtonMr(Spec s) {
        return ((MethodOptions.NewtonMrMethod) s.methods().get(0).options()).options();
    }

    @Test
    void everyIterateUnlessTheRecordSaysLast() throws Exception {
        String methods = "methods:\n  - {kind: newton-mr, runs: 2, iterations: 5}\n  - {kind: gd, runs: 1, iterations: 5, lr: 0.1}\n";
        Spec every = parse(BASE + methods);
        assertEquals(Spec.RecordSpec.Flatness.EVERY, every.record().flatness());
        assertTrue(newtonMr(every).flatnessEveryIterate());
        Spec last = parse(BASE + methods + "record: {flatness: last}\n");
        assertEquals(Spec.RecordSpec.Flatness.LAST, last.record().flatness());
        assertFalse(newtonMr(last).flatnessEveryIterate());
        assertEquals(newtonMr(every).withFlatnessEveryIterate(false), newtonMr(last), "nothing else changes");
    }

    @Test
    void lastBesideDampedNewtonOrAnUnknownWordIsRefused() {
        SpecException e = assertThrows(SpecException.class, () -> parse(BASE
                + "methods:\n  - {kind: damped-newton, runs: 2, iterations: 5}\nrecord: {flatness: last}\n"));
        assertTrue(e.getMessage().contains("record.flatness") && e.getMessage().contains("damped-newton"), e.getMessage());
        SpecException w = assertThrows(SpecException.class, () -> parse(BASE
                + "methods:\n  - {kind: newton-mr, runs: 2, iterations: 5}\nrecord: {flatness: sometimes}\n"));
        assertTrue(w.getMessage().contains("flatness"), w.getMessage());
    }

    @Test
    void theReportSaysMaxRWasNotRecorded() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode a = m.createObjectNode().put("method", "newton-mr").put("status", "other").put("flatness", "last")
                .put("final_r", 0.95).put("seconds", 1.0);
        a.putNull("max_r");
        List<Report.MethodStats> st = Report.stats(List.of(a, a.deepCopy()));
        assertEquals(2, st.get(0).maxRMissing());
        ObjectNode b = m.createObjectNode().put("method", "newton-mr").put("status", "other").put("max_r", 0.95)
                .put("final_r", 0.95).put("seconds", 1.0);
        assertEquals(0, Report.stats(List.of(b)).get(0).maxRMissing());
        assertEquals(1, Report.stats(List.of(b)).get(0).maxRAbove()[1], "max r ≥ 0.9 counted when recorded");
    }
}
