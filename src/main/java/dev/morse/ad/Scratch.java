package dev.morse.ad;

/** A work buffer a primitive asks for: {@code size} doubles, times the block capacity if perBlock. */
public record Scratch(long size, boolean perBlock) {
}
