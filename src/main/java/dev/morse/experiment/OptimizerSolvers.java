package dev.morse.experiment;

import dev.morse.ad.Objective;

/** The optimizers as methods of a batch (Levenberg-Marquardt exact Newton, BFGS, L-BFGS, GD, momentum). */
final class OptimizerSolvers {
    private OptimizerSolvers() {
    }

    static Executor.Solver create(Objective objective, Spec.MethodSpec m) {
        throw new SpecException("methods", "method kind \"" + m.kind() + "\" is not wired into the runner yet");
    }
}
