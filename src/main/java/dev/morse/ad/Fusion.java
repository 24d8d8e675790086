package dev.morse.ad;

import dev.morse.ad.prim.Affine;
import dev.morse.ad.prim.BiasUnary;
import dev.morse.ad.prim.Unary;
import java.util.ArrayList;
import java.util.List;

/**
 * The compile pass that fuses a dense layer's bias add into its activation, as a rewrite of the
 * node list: an affine node Z = A·W + 1bᵀ whose only consumer is an elementwise function y = f(Z),
 * which is not the loss, and whose product depends on θ, becomes the product Z = A·W (same id)
 * and y = f(Z + 1bᵀ) ({@link BiasUnary}, same id, inputs Z and b), which adds the bias in place
 * with the activation in one kernel (and, in the tangent pass, the bias tangent with the
 * derivative product). Ids, shapes and the activity of every node stay as they were, so labels,
 * the loss and the buffers of the {@link Layout} are those of the unfused program.
 */
final class Fusion {
    /** The rewritten nodes, indexed by id. */
    final List<Node> nodes;
    /** How many layers were fused. */
    final int layers;

    private Fusion(List<Node> nodes, int layers) {
        this.nodes = nodes;
        this.layers = layers;
    }

    /** The pass over a program's nodes ({@code on} false: the nodes as traced). */
    static Fusion of(Program program, boolean on) {
        List<Node> nodes = new ArrayList<>(program.nodes());
        if (!on) {
            return new Fusion(nodes, 0);
        }
        boolean[] active = Layout.activity(nodes);
        int[] uses = new int[nodes.size()];
        for (Node nd : nodes) {
            for (int in : nd.inputs()) {
                uses[in]++;
            }
        }
        int fused = 0;
        for (Node nd : program.nodes()) {
            if (!(nd.prim() instanceof Unary) || nd.inputs().length != 1) {
                continue;
            }
            int z = nd.inputs()[0];
            Node affine = nodes.get(z);
            if (!(affine.prim() instanceof Affine) || uses[z] != 1 || z == program.loss()) {
                continue;
            }
            int[] in = affine.inputs();
            if (!active[in[0]] && !active[in[1]]) {
                continue; // a constant product: Z would have no tangent to add ḃ to
            }
            nodes.set(z, new Node(z, ((Affine) affine.prim()).product(), new int[] {in[0], in[1]}, affine.shape()));
            nodes.set(nd.id(), new Node(nd.id(), new BiasUnary((Unary) nd.prim()), new int[] {z, in[2]}, nd.shape()));
            fused++;
        }
        return new Fusion(nodes, fused);
    }
}
