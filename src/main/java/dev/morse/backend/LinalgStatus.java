package dev.morse.backend;

/**
 * The outcome of a dense factorization, as LAPACK / cuSOLVER report it: {@code info == 0}
 * is success, {@code info < 0} an illegal argument (a bug), {@code info > 0} a numerical
 * failure (e.g. syevd did not converge). Expected failures are values, not exceptions.
 */
public record LinalgStatus(String routine, int info) {
    public boolean ok() {
        return info == 0;
    }

    @Override
    public String toString() {
        return ok() ? routine + ": ok" : routine + ": info=" + info;
    }
}
