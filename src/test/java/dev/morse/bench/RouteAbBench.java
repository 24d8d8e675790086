package dev.morse.bench;

import dev.morse.ad.Plan;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.experiment.MethodKind;
import dev.morse.experiment.MethodOptions;
import dev.morse.experiment.Problem;
import dev.morse.experiment.Spec;
import dev.morse.index.HessianOperator;
import dev.morse.newton.NewtonMr;
import dev.morse.optim.Run;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Opt-in A/B of the Hessian routes (-Dmorse.ab.route=SPEC[,SPEC...], e.g.
 * experiments/e6-mnist-classifier.yaml; -Dmorse.ab.route.iterations=3, -Dmorse.ab.route.rounds=5,
 * -Dmorse.ab.route.quick=true for the specs' quick sizes): T Newton-MR iterations from
 * {@code bench newton}'s start point with the Hessian forced dense, forced matrix-free and
 * measured (auto), in alternating rounds in one process, so a shared machine slows all three
 * alike. Prints medians (s) and the route auto took with its predicted step costs; not part of mvn test.
 */
class RouteAbBench {

    @Test
    void routes() {
        String specs = System.getProperty("morse.ab.route");
        Assumptions.assumeTrue(specs != null && !specs.isBlank(), "opt-in: -Dmorse.ab.route=SPEC[,...]");
        int its = Integer.getInteger("morse.ab.route.iterations", 3);
        int rounds = Integer.getInteger("morse.ab.route.rounds", 5);
        boolean quick = Boolean.getBoolean("morse.ab.route.quick");
        HessianOperator.Mode[] modes = {HessianOperator.Mode.DENSE, HessianOperator.Mode.MATRIX_FREE,
                HessianOperator.Mode.AUTO};
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "Newton-MR, %d iterations, median of %d alternating rounds (s), BLAS threads %d: dense / matrix-free / auto%n",
                its, rounds, CpuBackend.threads()));
        for (String f : specs.split(",")) {
            Spec spec = Spec.load(Path.of(f.trim()), quick);
            Spec.MethodSpec m = spec.methods().stream().filter(x -> x.kind() == MethodKind.NEWTON_MR).findFirst()
                    .orElseThrow();
            Problem problem = Problem.build(spec.problem(), null);
            NewtonMr.Options base = ((MethodOptions.NewtonMrMethod) m.options()).options().withMaxIterations(its).withGradNormSqFloor(0.0);
            try (CpuBackend b = new CpuBackend(); Plan plan = Plan.compile(problem.program(), b)) {
                double[] theta0 = NewtonBench.startPoint(spec, problem, b);
                NewtonMr[] nm = new NewtonMr[modes.length];
                double[][] t = new double[modes.length][rounds];
                long[] hvps = new long[modes.length];
                Run autoRun = null;
                try {
                    for (int i = 0; i < modes.length; i++) {
                        nm[i] = new NewtonMr(plan, base.withHessian(modes[i]));
                        nm[i].run(theta0); // warm-up (and auto's probe)
                    }
                    for (int r = 0; r < rounds; r++) {
                        for (int i = 0; i < modes.length; i++) {
                            long t0 = System.nanoTime();
                            Run run = nm[i].run(theta0);
                            t[i][r] = (System.nanoTime() - t0) * 1e-9;
                            hvps[i] = run.last().hvps();
                            if (modes[i] == HessianOperator.Mode.AUTO) {
                                autoRun = run;
                            }
                        }
                    }
                } finally {
                    for (NewtonMr x : nm) {
                        if (x != null) {
                            x.close();
                        }
                    }
                }
                String line = String.format(Locale.ROOT, "  %s (N = %d): %.3f / %.3f / %.3f s; HVPs %d / %d / %d; auto: %s%n",
                        spec.name(), plan.n(), median(t[0]), median(t[1]), median(t[2]), hvps[0], hvps[1], hvps[2],
                        autoRun.hessianRoute());
                System.err.print(line); // as it comes: a long run may be stopped
                sb.append(line);
            }
        }
        System.err.print(sb);
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
