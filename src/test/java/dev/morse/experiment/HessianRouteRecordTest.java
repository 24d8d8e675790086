package dev.morse.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.morse.index.HessianRoute;
import dev.morse.index.HessianRoute.Basis;
import dev.morse.index.HessianRoute.Route;
import org.junit.jupiter.api.Test;

/** What a record says about the Newton methods' Hessian route; the costs are ignored when shards are merged. */
class HessianRouteRecordTest {

    @Test
    void measuredRouteIsRecordedWithItsCosts() {
        // N = 400: hvp 2 ms, block 1 ms/direction, gemv 0.05 ms
        HessianRoute.Costs c = new HessianRoute.Costs(400, 2e-3, 1e-3, 64, 5e-5, 32, 8L * 400 * 400, 1L << 30);
        HessianRoute.Decision d = new HessianRoute.Decision(Route.MATRIX_FREE, Basis.REVISED, c, 60, Route.DENSE);
        ObjectNode f = RunsFile.JSON.createObjectNode();
        Executor.putRoute(f, d);
        assertEquals("matrix-free", f.path("hessian_route").asText());
        assertEquals("measured, revised after the first solve", f.path("hessian_route_basis").asText());
        ObjectNode costs = (ObjectNode) f.path("hessian_costs");
        assertEquals(2.0, costs.path("hvp_ms").asDouble(), 1e-12);
        assertEquals(1.0, costs.path("block_ms_per_direction").asDouble(), 1e-12);
        assertEquals(400.0, costs.path("assembly_ms").asDouble(), 1e-9);
        assertEquals(0.05, costs.path("gemv_ms").asDouble(), 1e-12);
        assertEquals(60, costs.path("applications_per_step").asLong());
        assertEquals(400 + 60 * 0.05 + 32 * 0.05, costs.path("dense_step_ms").asDouble(), 1e-9);
        assertEquals(60 * 2.0 + 32 * 1.0, costs.path("matrix_free_step_ms").asDouble(), 1e-9);
        assertEquals("dense", costs.path("first_route").asText());
        assertTrue(costs.path("dense_fits").asBoolean());

        // two shards' records of one run may differ in the measured costs only
        ObjectNode g = f.deepCopy();
        ((ObjectNode) g.path("hessian_costs")).put("hvp_ms", 3.0);
        assertEquals(null, Merge.difference(f, g));
    }

    @Test
    void forcedAndExactNormRoutesHaveNoCosts() {
        ObjectNode f = RunsFile.JSON.createObjectNode();
        Executor.putRoute(f, HessianRoute.Decision.forced(Route.MATRIX_FREE));
        assertEquals("matrix-free", f.path("hessian_route").asText());
        assertEquals("forced", f.path("hessian_route_basis").asText());
        assertFalse(f.has("hessian_costs"));
        ObjectNode e = RunsFile.JSON.createObjectNode();
        Executor.putRoute(e, HessianRoute.Decision.exactNorm());
        assertEquals("dense", e.path("hessian_route").asText());
        assertEquals("exact norm", e.path("hessian_route_basis").asText());
        ObjectNode none = RunsFile.JSON.createObjectNode();
        Executor.putRoute(none, null); // optimizers, and records written before routes were measured
        assertFalse(none.has("hessian_route"));
    }
}
