package dev.morse.ad;

import dev.morse.ad.prim.Affine;
import dev.morse.ad.prim.Unary;

/**
 * The compile pass that fuses a dense layer's bias add into its activation: an affine node
 * (Z = A·W + 1bᵀ) whose only consumer is an elementwise function, and which is not the loss,
 * leaves its bias to that node, which adds it in place with the activation in one kernel (and,
 * in the tangent pass, the bias tangent with the derivative product). The rules read the
 * outcome through {@link Exec#biasDeferred()} and {@link Exec#fusedBias()}.
 */
final class Fusion {
    /** For each elementwise node fused with its input, that affine node's id; else −1. */
    final int[] fusedBias;
    /** For each affine node whose bias add is left to its consumer, true. */
    final boolean[] biasDeferred;
    /** How many layers were fused. */
    final int layers;

    private Fusion(int[] fusedBias, boolean[] biasDeferred, int layers) {
        this.fusedBias = fusedBias;
        this.biasDeferred = biasDeferred;
        this.layers = layers;
    }

    /** The pass over a program's nodes ({@code on} false: nothing fused). */
    static Fusion of(Node[] nodes, int loss, boolean on) {
        int count = nodes.length;
        int[] uses = new int[count];
        for (Node nd : nodes) {
            for (int in : nd.inputs()) {
                uses[in]++;
            }
        }
        int[] fusedBias = new int[count];
        boolean[] biasDeferred = new boolean[count];
        java.util.Arrays.fill(fusedBias, -1);
        int fused = 0;
        if (on) {
            for (Node nd : nodes) {
                if (nd.prim() instanceof Unary && nd.inputs().length == 1) {
                    int in = nd.inputs()[0];
                    if (nodes[in].prim() instanceof Affine && uses[in] == 1 && in != loss) {
                        fusedBias[nd.id()] = in;
                        biasDeferred[in] = true;
                        fused++;
                    }
                }
            }
        }
        return new Fusion(fusedBias, biasDeferred, fused);
    }
}
