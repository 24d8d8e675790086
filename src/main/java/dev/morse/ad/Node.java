package dev.morse.ad;

/** One recorded operation of a Program: a primitive applied to earlier nodes. */
public record Node(int id, Primitive prim, int[] inputs, Shape shape) {
}
