package dev.morse.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What one run produced: the fields of its record (status, loss, grad_norm_sq, index, ...),
 * and its per-iteration trace (a header and one row per iteration).
 */
public record RunResult(ObjectNode fields, String[] traceHeader, List<double[]> traceRows) {
}
