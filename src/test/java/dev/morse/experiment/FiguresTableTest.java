package dev.morse.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The "as the figures computed it" table, from hand-made records. */
class FiguresTableTest {
    private static ObjectNode rec(String text, String figures, double finalRelres, Double maxRelres) {
        ObjectNode r = RunsFile.JSON.createObjectNode();
        r.put("method", "newton-mr");
        r.put("status", text);
        r.put("status_text", text);
        r.put("status_figures", figures);
        r.put("seconds", 1.0);
        r.put("final_relres", finalRelres);
        if (maxRelres == null) {
            r.putNull("max_relres");
        } else {
            r.put("max_relres", maxRelres);
        }
        return r;
    }

    @Test
    void countsUnderTheFiguresDefinitions() {
        List<ObjectNode> runs = new ArrayList<>();
        runs.add(rec("other", "critical", 0.95, 0.99));      // ‖g‖² in [1e-10, 1e-8): critical only for the figures
        runs.add(rec("other", "gradient-flat", 0.97, 0.98)); // relres > 0.9 but r_H too large for the text
        runs.add(rec("other", "other", 0.5, null));          // no flag-2 step: not counted as max-flat
        runs.add(rec("critical", "critical", 0.1, 0.2));
        FiguresTable.Counts c = FiguresTable.counts(runs).get(0);
        assertEquals(4, c.runs());
        assertEquals(2, c.critical());
        assertEquals(1, c.flat());
        assertEquals(1, c.other());
        assertEquals(2, c.finalFlat());
        assertEquals(2, c.maxFlat());
        assertEquals(3, c.withFlag2());
        // the text's table is unchanged by the figures' fields
        Report.MethodStats s = Report.stats(runs).get(0);
        assertEquals(1, s.critical());
        assertEquals(3, s.other());
        String md = Report.summary("t", "", runs);
        // 2 of 4: p = 0.5, se = 0.25
        assertTrue(md.contains("| newton-mr | 4 | 2 (50% ± 25) | 1 (25% ± 22) |"), md);
    }

    @Test
    void olderRecordsGetNoFiguresSection() {
        ObjectNode r = RunsFile.JSON.createObjectNode();
        r.put("method", "m");
        r.put("status", "other");
        assertEquals("", FiguresTable.section(List.of(r)));
    }
}
