package dev.morse.problems;

import dev.morse.ad.Tracer;
import dev.morse.ad.Value;
import java.util.List;
import java.util.Random;

/**
 * A user's own problem for {@code morse run}: a loss of θ written with {@link Tracer} /
 * {@link Value} (any primitives, including the user's own through {@link Tracer#apply}), its
 * N, an initializer and, optionally, known critical points. A spec runs it with
 * <pre>
 *   problem: {kind: java, class: org.example.Himmelblau}     # jar: path/to.jar, or --classpath
 * </pre>
 * The class needs a public no-argument constructor. The loss is traced once, when the batch
 * starts; it must return a 1×1 value that depends on θ.
 */
public interface CustomProblem {

    /** N, the length of θ. */
    int nParams();

    /** The loss, traced: read θ through {@code t.theta()} or {@code t.param(offset, rows, cols)}. */
    Value loss(Tracer t);

    /** A seeded initial θ for start kinds {@code init} and {@code optimizer} (default: i.i.d. N(0, 1)). */
    default double[] init(long seed) {
        Random r = new Random(seed);
        double[] th = new double[nParams()];
        for (int i = 0; i < th.length; i++) {
            th[i] = r.nextGaussian();
        }
        return th;
    }

    /**
     * Known critical points (optional). Their loss and Morse index go to {@code analytic.csv},
     * and each run's end point is matched against them ({@code analytic_match}).
     */
    default List<double[]> criticalPoints() {
        return List.of();
    }

    /** One line for logs and summaries (default: the class's simple name). */
    default String description() {
        return getClass().getSimpleName();
    }
}
