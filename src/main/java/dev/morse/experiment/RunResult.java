package dev.morse.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What one run produced: the fields of its record (status, loss, grad_norm_sq, index, ...),
 * and its per-iteration trace (a header and one row per iteration). A record's status is a
 * {@link dev.morse.index.PointClass} key, or {@link #FAILED} for a run that has no end point to
 * classify.
 */
public record RunResult(ObjectNode fields, String[] traceHeader, List<double[]> traceRows) {
    /** The status of a run that failed (an exception, or a non-finite end point). */
    public static final String FAILED = "failed";
}
