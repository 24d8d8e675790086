package dev.morse.experiment;

import dev.morse.ad.Objective;
import dev.morse.index.HessianOperator;
import dev.morse.krylov.MinresQlp;
import dev.morse.newton.DampedNewton;
import dev.morse.newton.GradNormMin;
import dev.morse.newton.NewtonMr;
import dev.morse.optim.Bfgs;
import dev.morse.optim.GradientDescent;
import dev.morse.optim.Lbfgs;
import dev.morse.optim.LevenbergMarquardt;
import dev.morse.optim.StopCriteria;

/**
 * The method registry: each kind's spec keys parsed, when the spec is read, into the solver's
 * own option record, with the defaults that record defines (the one place they live: a spec
 * key absent means the solver's default). Each kind also makes its solver and states the dense
 * Hessians it holds. A new method is a record here, a case in {@link #parse} and its constant
 * in {@link MethodKind}.
 */
public sealed interface MethodOptions {

    /** The solver these options configure, on {@code objective} (its workspaces allocated now). */
    Solver solver(Objective objective);

    /** Bytes of the dense N×N matrices one solver holds ({@link MemoryCheck}). */
    default long denseBytes(int n) {
        return 0;
    }

    /** Newton-MR (thesis Alg 13). */
    record NewtonMrMethod(NewtonMr.Options options) implements MethodOptions {
        @Override
        public Solver solver(Objective objective) {
            NewtonMr s = new NewtonMr(objective, options);
            return Solver.of(s::run, s);
        }

        @Override
        public long denseBytes(int n) {
            return assembled(options.hessian(), n);
        }
    }

    /** Damped Newton (thesis Alg 11). */
    record DampedNewtonMethod(DampedNewton.Options options) implements MethodOptions {
        @Override
        public Solver solver(Objective objective) {
            DampedNewton s = new DampedNewton(objective, options);
            return Solver.of(s::run, s);
        }

        @Override
        public long denseBytes(int n) {
            return assembled(options.hessian(), n);
        }
    }

    /** Gradient-norm minimization (thesis Alg 2). */
    record GnmMethod(GradNormMin.Options options) implements MethodOptions {
        @Override
        public Solver solver(Objective objective) {
            GradNormMin s = new GradNormMin(objective, options);
            return Solver.of(s::run, s);
        }
    }

    /** Levenberg-Marquardt exact Newton: H and dsyevd's eigenvectors, 24N² bytes. */
    record LevenbergMarquardtMethod(LevenbergMarquardt.Options options) implements MethodOptions {
        @Override
        public Solver solver(Objective objective) {
            LevenbergMarquardt s = new LevenbergMarquardt(objective, options);
            return OptimizerSolvers.solver(objective, s::run, s);
        }

        @Override
        public long denseBytes(int n) {
            return 3 * 8L * n * n;
        }
    }

    /** BFGS. */
    record BfgsMethod(Bfgs.Options options) implements MethodOptions {
        @Override
        public Solver solver(Objective objective) {
            Bfgs s = new Bfgs(objective, options);
            return OptimizerSolvers.solver(objective, s::run, s);
        }
    }

    /** L-BFGS. */
    record LbfgsMethod(Lbfgs.Options options) implements MethodOptions {
        @Override
        public Solver solver(Objective objective) {
            Lbfgs s = new Lbfgs(objective, options);
            return OptimizerSolvers.solver(objective, s::run, s);
        }
    }

    /** Gradient descent, with or without momentum. */
    record GradientDescentMethod(GradientDescent.Options options) implements MethodOptions {
        @Override
        public Solver solver(Objective objective) {
            GradientDescent s = new GradientDescent(objective, options);
            return OptimizerSolvers.solver(objective, s::run, s);
        }
    }

    /** The bytes of the Hessian a Newton method assembles per step in this mode at this N (0 if matrix-free). */
    private static long assembled(HessianOperator.Mode mode, int n) {
        return mode.resolve(n) == HessianOperator.Mode.DENSE ? 8L * n * n : 0;
    }

    /**
     * A method's keys (all but kind, name, runs, iterations) as its solver's options.
     * {@code linear}: the problem is analytic or the deep linear autoencoder (MINRES-QLP rtol 1e-10).
     */
    static MethodOptions parse(MethodKind kind, SpecNode m, int iterations, boolean linear) {
        try {
            return options(kind, m, iterations, linear);
        } catch (SpecException e) { // a key's own error, already naming it
            throw e;
        } catch (IllegalArgumentException e) { // a combination the option record refuses
            throw new SpecException(m.path(), e.getMessage());
        }
    }

    private static MethodOptions options(MethodKind kind, SpecNode m, int iterations, boolean linear) {
        switch (kind) {
            case NEWTON_MR: {
                NewtonMr.Options d = linear ? NewtonMr.Options.linearAutoencoder() : NewtonMr.Options.defaults();
                MinresQlp.Options solver = minres(m, d.solver());
                double alpha = m.number("alpha", d.alpha(), 0.0, 1.0, true);
                double beta = m.below("beta", m.number("beta", d.beta(), 0.0, 1.0, true), 1.0);
                double rho = m.below("rho", m.number("rho", d.rho(), 0.0, 1.0, true), 1.0);
                double rhoPrime = m.below("rho_prime", m.number("rho_prime", d.rhoPrime(), 0.0, 1.0, true), 1.0);
                double floor = m.number("gnorm_floor", d.gradNormSqFloor(), 0.0, 1.0, false);
                return new NewtonMrMethod(d.withMaxIterations(iterations).withSolver(solver)
                        .withLineSearch(alpha, beta, rho, rhoPrime).withGradNormSqFloor(floor)
                        .withHessian(m.choice("hessian", d.hessian(), HessianOperator.Mode.class)));
            }
            case DAMPED_NEWTON: {
                DampedNewton.Options d = linear ? DampedNewton.Options.linearAutoencoder()
                        : DampedNewton.Options.defaults();
                return new DampedNewtonMethod(d.withMaxIterations(iterations)
                        .withGammas(m.numbers("gammas", d.gammas())).withSolver(minres(m, d.solver()))
                        .withHessian(m.choice("hessian", d.hessian(), HessianOperator.Mode.class)));
            }
            case GNM: {
                GradNormMin.Options d = GradNormMin.Options.defaults();
                GradNormMin.Search search = m.choice("line_search", d.search(), GradNormMin.Search.class);
                double alpha = m.number("alpha", d.alpha0(), 0.0, 1e6, true);
                double beta = m.below("beta", m.number("beta", d.beta(), 0.0, 1.0, true), 1.0);
                double rho = m.below("rho", m.number("rho", d.c1(), 0.0, 1.0, true), d.c2()); // c1 < c2
                return new GnmMethod(new GradNormMin.Options(iterations, search, alpha, beta, rho, d.c2(),
                        d.maxEvaluations(), d.gradNormSqFloor()));
            }
            case LEVENBERG_MARQUARDT: {
                LevenbergMarquardt.Options d = LevenbergMarquardt.Options.of(iterations);
                double eps0 = m.number("epsilon", d.eps0(), 0.0, 1e12, true);
                double factor = m.number("factor", d.increase(), 1.0, 1e6, true);
                return new LevenbergMarquardtMethod(new LevenbergMarquardt.Options(d.stop(), eps0,
                        factor, 1.0 / factor, d.epsMin(), d.epsMax(),
                        m.choice("merit", d.merit(), LevenbergMarquardt.Merit.class)));
            }
            case BFGS: {
                Bfgs.Options d = Bfgs.Options.of(iterations);
                return new BfgsMethod(new Bfgs.Options(gtol(m, d.stop()), d.c1(), d.c2(),
                        d.maxEvaluations()));
            }
            case LBFGS: {
                Lbfgs.Options d = Lbfgs.Options.of(iterations);
                int memory = m.integer("memory", d.memory(), 1, 10_000);
                return new LbfgsMethod(new Lbfgs.Options(gtol(m, d.stop()), memory, d.c1(), d.c2(),
                        d.maxEvaluations()));
            }
            case GD:
            case MOMENTUM: {
                GradientDescent.Options d = GradientDescent.Options.of(iterations, kind == MethodKind.MOMENTUM);
                double lr = m.number("lr", d.learningRate(), 0.0, 1e6, true);
                double mu = m.below("momentum", m.number("momentum", d.momentum(), 0.0, 1.0, false), 1.0);
                return new GradientDescentMethod(new GradientDescent.Options(lr, mu, d.stop()));
            }
            default:
                throw new IllegalStateException("no options for method kind " + kind);
        }
    }

    /** MINRES-QLP's keys over a solver's defaults: rtol, maxit (0: N), maxxnorm, acondlim, trancond, exit. */
    private static MinresQlp.Options minres(SpecNode m, MinresQlp.Options d) {
        return d.withRtol(m.number("rtol", d.rtol(), 0.0, 1.0, true))
                .withMaxit(m.integer("maxit", d.maxit(), 0, Integer.MAX_VALUE))
                .withMaxxnorm(m.number("maxxnorm", d.maxxnorm(), 0.0, 1e300, true))
                .withAcondlim(m.number("acondlim", d.acondlim(), 1.0, 1e300, false))
                .withTrancond(m.number("trancond", d.trancond(), 1.0, 1e300, false))
                .withExit(m.choice("exit", d.exit(), MinresQlp.Exit.class));
    }

    /** {@code gtol}: the ‖g‖² floor of BFGS and L-BFGS, over the solver's default. */
    private static StopCriteria gtol(SpecNode m, StopCriteria d) {
        return new StopCriteria(d.maxIterations(), m.number("gtol", d.gradNormSqFloor(), 0.0, 1.0, false));
    }
}
