package dev.morse.backend.cuda;

import static dev.morse.backend.cuda.KernelArgs.Type.F64;
import static dev.morse.backend.cuda.KernelArgs.Type.I32;
import static dev.morse.backend.cuda.KernelArgs.Type.I64;
import static dev.morse.backend.cuda.KernelArgs.Type.PTR_F64;
import static dev.morse.backend.cuda.KernelArgs.Type.PTR_I32;

import dev.morse.backend.cuda.KernelArgs.Type;
import java.util.List;

/**
 * Every kernel of kernels/*.cu with its C parameter list. Arguments are checked against
 * this signature before every launch ({@link KernelArgs#check}), and a unit test parses the
 * .cu sources to prove that these signatures are the kernels' own, parameter by parameter
 * (a mismatch such as int vs long long would otherwise corrupt a launch silently).
 */
public enum Kernel {
    FILL(KernelModule.ELEMENTWISE, "morse_fill", I64, F64, PTR_F64),
    AXPBY(KernelModule.ELEMENTWISE, "morse_axpby", I64, F64, PTR_F64, F64, PTR_F64),
    UNARY(KernelModule.ELEMENTWISE, "morse_unary", I32, I32, I64, PTR_F64, PTR_F64),
    UNARY_DERIVATIVES(KernelModule.ELEMENTWISE, "morse_unary_derivatives",
            I32, I32, I64, PTR_F64, PTR_F64, PTR_F64, PTR_F64),
    MUL_SHARED(KernelModule.ELEMENTWISE, "morse_mul_shared",
            I64, I32, F64, PTR_F64, PTR_F64, F64, PTR_F64),
    MUL2_SHARED(KernelModule.ELEMENTWISE, "morse_mul2_shared",
            I64, I32, PTR_F64, PTR_F64, PTR_F64, PTR_F64, F64, PTR_F64),
    SCALE_BY_SCALAR(KernelModule.ELEMENTWISE, "morse_scale_by_scalar",
            I64, I32, F64, PTR_F64, I32, PTR_F64, I32, F64, PTR_F64),
    ADD_ROW_VECTOR(KernelModule.ELEMENTWISE, "morse_add_row_vector",
            I32, I32, I32, F64, PTR_F64, I32, PTR_F64),
    BIAS_UNARY(KernelModule.ELEMENTWISE, "morse_bias_unary",
            I32, I32, I32, I32, PTR_F64, PTR_F64, PTR_F64, PTR_F64, PTR_F64),
    BIAS_MUL_SHARED(KernelModule.ELEMENTWISE, "morse_bias_mul_shared",
            I32, I32, I32, PTR_F64, I32, PTR_F64, PTR_F64, PTR_F64),
    SUMS(KernelModule.REDUCE, "morse_sums", I64, I32, I32, F64, PTR_F64, F64, PTR_F64, PTR_F64),
    SUMS_FINAL(KernelModule.REDUCE, "morse_sums_final", I32, I32, F64, PTR_F64, F64, PTR_F64),
    COLUMN_SUMS(KernelModule.REDUCE, "morse_column_sums",
            I32, I32, I32, I32, I32, F64, PTR_F64, F64, PTR_F64, PTR_F64),
    COLUMN_SUMS_FINAL(KernelModule.REDUCE, "morse_column_sums_final",
            I32, I32, I32, F64, PTR_F64, F64, PTR_F64),
    SOFTMAX_XENT(KernelModule.SOFTMAX, "morse_softmax_xent",
            I32, I32, I32, PTR_F64, PTR_I32, PTR_F64, PTR_F64, PTR_F64, PTR_F64),
    SOFTMAX_XENT_LOSS(KernelModule.SOFTMAX, "morse_softmax_xent_loss", I32, I32, PTR_F64, PTR_F64),
    SOFTMAX_CE_TVJP(KernelModule.SOFTMAX, "morse_softmax_ce_tvjp",
            I32, I32, I32, F64, PTR_F64, PTR_F64, PTR_F64, PTR_F64, PTR_F64, F64, PTR_F64),
    MAX(KernelModule.POINTWISE, "morse_max", I64, PTR_F64, PTR_F64, PTR_F64, PTR_F64);

    private final KernelModule module;
    private final String symbol;
    private final List<Type> params;

    Kernel(KernelModule module, String symbol, Type... params) {
        this.module = module;
        this.symbol = symbol;
        this.params = List.of(params);
    }

    public KernelModule module() {
        return module;
    }

    /** The extern "C" name in the module. */
    public String symbol() {
        return symbol;
    }

    /** Parameter types in declaration order. */
    public List<Type> params() {
        return params;
    }
}
