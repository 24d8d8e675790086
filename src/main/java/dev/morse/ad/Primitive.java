package dev.morse.ad;

/**
 * One primitive of the traced language, holding its four rules side by side:
 * <ul>
 *   <li>forward: y = f(x) (when linearizing, also whatever the later rules reuse);</li>
 *   <li>JVP: ẏ = ∂f(x)[ẋ] for k tangent blocks;</li>
 *   <li>VJP: x̄ (+)= ∂f(x)ᵀ[ȳ];</li>
 *   <li>tangent of the VJP (forward-over-reverse): (x̄)˙ (+)= ∂f(x)ᵀ[(ȳ)˙] + (∂²f(x)[ẋ])ᵀ[ȳ].</li>
 * </ul>
 *
 * <h2>The contract (for primitives written outside morse)</h2>
 * A user primitive extends this class (or {@link LinearPrimitive} when it is linear) and is
 * recorded with {@link Tracer#apply}. Its rules run on device buffers through {@link Exec}:
 * <ul>
 *   <li><b>Immutable attributes.</b> An instance holds only constants (transposes, axes,
 *       scalars); one instance may be recorded many times.</li>
 *   <li><b>Shapes.</b> {@link #shape} returns the output shape for the input shapes, or throws
 *       with {@link #shapeError} naming the primitive and the shapes.</li>
 *   <li><b>Buffers.</b> {@code e.x(s)}, {@code e.y()} are values; {@code e.xdot(s)},
 *       {@code e.ydot()} hold k tangent blocks one after another (block j at
 *       {@link Buf#block}); {@code e.ybar()} / {@code e.xbar(s)} are adjoints and
 *       {@code e.ybardot()} / {@code e.xbardot(s)} tangent adjoints (k blocks). All numerical
 *       work goes through {@code e.b}, the {@link dev.morse.backend.Backend}, so a primitive
 *       runs unchanged on the CPU and on CUDA; rules allocate nothing (ask for work buffers
 *       with {@link #scratch}; they persist across passes, so forward-time state such as
 *       f'(x) can be kept there).</li>
 *   <li><b>Order of passes.</b> {@code plan.at(θ)} runs forward with {@code e.linearizing()}
 *       true, then vjp; each HVP then runs jvp and tvjp only, reusing what forward and vjp
 *       kept. A plain evaluation runs forward with {@code linearizing()} false.</li>
 *   <li><b>Inactive inputs.</b> An input that does not depend on θ ({@code !e.active(s)}) has
 *       no tangent and no adjoint buffer (they are null): skip it.</li>
 *   <li><b>Writes.</b> The JVP overwrites ẏ (all k blocks). Adjoint and tangent-adjoint
 *       writes to input slot s use β = {@link Exec#beta(int)} / {@link Exec#tbeta(int)}
 *       (0: first writer, overwrite and ignore the old contents; 1: accumulate) and must be
 *       made in increasing slot order.</li>
 *   <li><b>Smoothness.</b> {@link #smooth} is false for functions that are not twice
 *       differentiable everywhere (relu, max, abs); runs report them.</li>
 *   <li><b>Missing rules</b> throw {@link MissingRuleException} naming the primitive and the
 *       rule (the defaults here do), never a silent zero.</li>
 * </ul>
 * Check a new primitive with the second-order gradient checks (the tests' {@code GradCheck}):
 * JVP and VJP against central differences of the loss, the HVP against central differences
 * of the gradient, symmetry, and hvpBlock against single HVPs.
 */
public abstract class Primitive {

    /** The primitive's name as users see it in errors. */
    public abstract String name();

    /** Output shape for the given input shapes; throws naming the primitive and the shapes. */
    public abstract Shape shape(Shape[] in);

    /** Work buffers this primitive needs per node. */
    public Scratch[] scratch(Shape[] in, Shape out) {
        return new Scratch[0];
    }

    /** False for primitives that are not twice differentiable everywhere (relu). */
    public boolean smooth() {
        return true;
    }

    /** True if the VJP writes only part of an input's adjoint (a slice of θ). */
    public boolean partialAdjoint() {
        return false;
    }

    public void forward(Exec e) {
        throw new MissingRuleException(name(), "forward");
    }

    public void jvp(Exec e, int k) {
        throw new MissingRuleException(name(), "jvp");
    }

    public void vjp(Exec e) {
        throw new MissingRuleException(name(), "vjp");
    }

    public void tvjp(Exec e, int k) {
        throw new MissingRuleException(name(), "tangent-of-vjp");
    }

    protected final IllegalArgumentException shapeError(String what, Shape... shapes) {
        StringBuilder sb = new StringBuilder(name()).append(": ").append(what).append(" (");
        for (int i = 0; i < shapes.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shapes[i]);
        }
        return new IllegalArgumentException(sb.append(')').toString());
    }

    protected final void sameShape(Shape[] in) {
        if (!in[0].equals(in[1])) {
            throw shapeError("operand shapes differ", in[0], in[1]);
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
