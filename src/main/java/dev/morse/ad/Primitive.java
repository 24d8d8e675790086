package dev.morse.ad;

/**
 * One primitive of the traced language, holding its four rules side by side:
 * <ul>
 *   <li>forward: y = f(x) (when linearizing, also whatever the later rules reuse);</li>
 *   <li>JVP: ẏ = ∂f(x)[ẋ] for k tangent blocks;</li>
 *   <li>VJP: x̄ (+)= ∂f(x)ᵀ[ȳ];</li>
 *   <li>tangent of the VJP (forward-over-reverse): (x̄)˙ (+)= ∂f(x)ᵀ[(ȳ)˙] + (∂²f(x)[ẋ])ᵀ[ȳ].</li>
 * </ul>
 * An instance carries the primitive's attributes (transposes, constants) and is immutable.
 * Adjoint and tangent-adjoint writes to input slot s use {@link Exec#beta(int)} /
 * {@link Exec#tbeta(int)} (0 = first writer overwrites, 1 = accumulate) and must be made in
 * increasing slot order. A rule that is not given throws {@link MissingRuleException}.
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
