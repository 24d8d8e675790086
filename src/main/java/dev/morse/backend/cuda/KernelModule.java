package dev.morse.backend.cuda;

/** The kernel source files (kernels/NAME.cu), one CUDA module each. */
public enum KernelModule {
    ELEMENTWISE("elementwise"),
    REDUCE("reduce"),
    SOFTMAX("softmax"),
    POINTWISE("pointwise");

    private final String baseName;

    KernelModule(String baseName) {
        this.baseName = baseName;
    }

    /** File name without extension: {@code elementwise}. */
    public String baseName() {
        return baseName;
    }

    /** The source file name: {@code elementwise.cu}. */
    public String sourceName() {
        return baseName + ".cu";
    }

    /** The prebuilt fatbin's file name: {@code elementwise.fatbin}. */
    public String fatbinName() {
        return baseName + ".fatbin";
    }
}
