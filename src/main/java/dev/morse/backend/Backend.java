package dev.morse.backend;

/**
 * Everything the engine, the Krylov solvers and the index computation ask of a device.
 *
 * <p>Conventions, shared by every implementation:
 * <ul>
 *   <li>All data are float64 {@link DArray}s owned by this backend; every operand is an
 *       (array, element offset) pair, so views (slices of θ, blocks of tangents) need no
 *       extra objects. Matrices are row-major with an explicit leading dimension.</li>
 *   <li>Host data crosses only through {@link #upload} / {@link #download} (and the scalar
 *       results of {@link #dot}, {@link #nrm2}); no Java arrays in hot paths.</li>
 *   <li><b>Blocks.</b> Operations taking {@code k} work on k blocks of length {@code n}
 *       stored one after another (block j starts at {@code offset + j*n}). An operand
 *       described as <i>shared</i> has a single block that is used for every j
 *       (the primal value under a block of k tangents).</li>
 *   <li>{@code beta} is 0 (overwrite; the old contents are ignored even if NaN) or any other
 *       value (scale and accumulate).</li>
 *   <li>Operations are ordered (one stream); results of host-returning calls are final.</li>
 * </ul>
 * A backend is not thread-safe: one thread drives it at a time. {@link #close()} frees all
 * its resources; closing twice is harmless; any use after close throws
 * {@link IllegalStateException}.
 */
public interface Backend extends AutoCloseable {

    /** Short name: {@code cpu} or {@code cuda}. */
    String name();

    /** One line: library build, device, threads. */
    String description();

    // ---------------------------------------------------------------- memory

    /** A zero-filled array of n float64. */
    DArray alloc(long n);

    /** A zero-filled array of n int32. */
    IArray allocInt(int n);

    /** How many arrays this backend has allocated so far (a warm HVP must not change it). */
    long allocations();

    /** Bytes currently allocated by live arrays. */
    long liveBytes();

    void upload(double[] src, int srcOff, DArray dst, long dstOff, int n);

    void download(DArray src, long srcOff, double[] dst, int dstOff, int n);

    void uploadInt(int[] src, int srcOff, IArray dst, int dstOff, int n);

    void downloadInt(IArray src, int srcOff, int[] dst, int dstOff, int n);

    /** Blocks until all queued work is done (no-op on the CPU). */
    void synchronize();

    // ---------------------------------------------------------------- BLAS-1

    /** y ← x. */
    void copy(long n, DArray x, long xo, DArray y, long yo);

    /** y ← v. */
    void fill(long n, double v, DArray y, long yo);

    /** x ← a·x. */
    void scal(long n, double a, DArray x, long xo);

    /** y ← a·x + y. */
    void axpy(long n, double a, DArray x, long xo, DArray y, long yo);

    /** y ← a·x + b·y. */
    void axpby(long n, double a, DArray x, long xo, double b, DArray y, long yo);

    /** xᵀy, returned to the host. */
    double dot(long n, DArray x, long xo, DArray y, long yo);

    /** ‖x‖₂, returned to the host (overflow-safe). */
    double nrm2(long n, DArray x, long xo);

    // ---------------------------------------------------------------- BLAS-2/3 (row-major)

    /**
     * C ← α·op(A)·op(B) + β·C with op(A) m×k, op(B) k×n, C m×n; all row-major with leading
     * dimensions lda, ldb, ldc (the row lengths of the stored matrices).
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              double alpha, DArray a, long ao, int lda,
              DArray b, long bo, int ldb,
              double beta, DArray c, long co, int ldc);

    /** y ← α·op(A)·x + β·y, A stored m×n row-major with leading dimension lda. */
    void gemv(boolean transA, int m, int n, double alpha, DArray a, long ao, int lda,
              DArray x, long xo, double beta, DArray y, long yo);

    // ---------------------------------------------------------------- fused elementwise

    /** y ← f(x), n elements. */
    void unary(UnaryFn f, int p, long n, DArray x, long xo, DArray y, long yo);

    /**
     * y ← f(x), d1 ← f'(x), d2 ← f''(x), n elements, one fused pass. This is the
     * linearization of an elementwise function: every later JVP, VJP and tangent-of-VJP at
     * this point is a product with d1 and d2 (see {@link #mulShared}, {@link #mul2Shared}).
     */
    void unaryDerivatives(UnaryFn f, int p, long n, DArray x, long xo, DArray y, long yo,
                          DArray d1, long d1o, DArray d2, long d2o);

    /**
     * A dense layer's bias and activation in one pass over rows×cols (row-major, contiguous):
     * z[r,c] ← z[r,c] + b[c] in place (z is the pre-activation the derivative rules keep),
     * y ← f(z), and when {@code d1} is not null also d1 ← f'(z), d2 ← f''(z) (d1 and d2 both
     * given or both null). Bitwise the same as {@link #addRowVector} with α = 1 followed by
     * {@link #unary} or {@link #unaryDerivatives}; one memory pass and one launch instead of two.
     */
    void biasUnary(UnaryFn f, int p, int rows, int cols, DArray b, long bo, DArray z, long zo,
                   DArray y, long yo, DArray d1, long d1o, DArray d2, long d2o);

    /**
     * The tangent of {@link #biasUnary} for k blocks: z_j[r,c] ← z_j[r,c] + b_j[c] in place
     * (b per block if bPerBlock, else shared), then y_j ← d∘z_j with d shared (d = f'(z)).
     * Bitwise the same as {@link #addRowVector} with α = 1 followed by {@link #mulShared}
     * with α = 1, β = 0.
     */
    void biasMulShared(int rows, int cols, int k, DArray b, long bo, boolean bPerBlock, DArray z, long zo,
                       DArray d, long dOff, DArray y, long yo);

    /** z_j ← β·z_j + α·x∘y_j for k blocks; x shared. */
    void mulShared(long n, int k, double alpha, DArray x, long xo, DArray y, long yo,
                   double beta, DArray z, long zo);

    /** z_j ← β·z_j + a∘x_j + b∘y_j for k blocks; a and b shared. */
    void mul2Shared(long n, int k, DArray a, long ao, DArray x, long xo, DArray b, long bo,
                    DArray y, long yo, double beta, DArray z, long zo);

    /**
     * y_j ← β·y_j + α·s_j·x_j for k blocks. s holds one scalar per block if sPerBlock, else
     * one shared scalar. x is per block if xPerBlock, else shared; x may be null (x = 1).
     * This is how scalar adjoints (device values) are broadcast back over arrays.
     */
    void scaleByScalar(long n, int k, double alpha, DArray s, long so, boolean sPerBlock,
                       DArray x, long xo, boolean xPerBlock, double beta, DArray y, long yo);

    /** z_j[r,c] ← z_j[r,c] + α·b_j[c] for k blocks of rows×cols; b per block if bPerBlock. */
    void addRowVector(int rows, int cols, int k, double alpha, DArray b, long bo,
                      boolean bPerBlock, DArray z, long zo);

    /** y_j[c] ← β·y_j[c] + α·Σ_r x_j[r,c] for k blocks of rows×cols. */
    void columnSums(int rows, int cols, int k, double alpha, DArray x, long xo,
                    double beta, DArray y, long yo);

    /** y_j ← β·y_j + α·Σ_i x_j[i] for k blocks of n (one scalar per block, on the device). */
    void sums(long n, int k, double alpha, DArray x, long xo, double beta, DArray y, long yo);

    // ---------------------------------------------------------------- softmax cross-entropy

    /**
     * Row-wise softmax cross-entropy with integer labels, mean over rows:
     * P ← softmax(Z) row-wise, G ← P − onehot(labels), loss[lo] ← (1/rows)·Σ_i (lse(z_i) − z_{i,y_i}).
     * Stable for any finite logits. A label outside [0, cols) is a bug and throws.
     */
    void softmaxCrossEntropy(int rows, int cols, DArray z, long zo, IArray labels,
                             DArray p, long po, DArray g, long go, DArray loss, long lo);

    /**
     * The softmax cross-entropy's tangent-of-VJP in one pass, for k blocks, P and G shared
     * (rows × cols), ℓ a device scalar and ℓ̇ k device scalars:
     * out_j ← β·out_j + α·ℓ̇_j·G + α·ℓ·(P∘(dz_j − rowsum(P∘dz_j)·1ᵀ)), each element formed as
     * (β·out + (αℓ̇_j)·G) + (αℓ)·(P·(dz − s)) (β = 0: the first term left out).
     */
    void softmaxCeTvjp(int rows, int cols, int k, double alpha, DArray p, long po, DArray g, long go,
                       DArray dz, long dzo, DArray l, long lo, DArray ldot, long ldo, double beta,
                       DArray out, long oo);

    // ---------------------------------------------------------------- extension primitives

    /**
     * y_j ← β·y_j + α·x_jᵀ for k blocks: x_j is rows×cols, y_j cols×rows (row-major, blocks
     * contiguous). x and y must not overlap.
     */
    void transpose(int rows, int cols, int k, double alpha, DArray x, long xo, double beta, DArray y, long yo);

    /**
     * y ← max(a, b) elementwise, n elements (NaN in either operand gives NaN); when m is not
     * null also the selection mask m ← 1 where a ≥ b or a is NaN, else 0 (ties select a).
     */
    void max(long n, DArray a, long ao, DArray b, long bo, DArray y, long yo, DArray m, long mo);

    // ---------------------------------------------------------------- dense symmetric linear algebra

    /**
     * Symmetric eigendecomposition (divide and conquer) of the n×n matrix A (row-major,
     * only symmetric input is meaningful). Eigenvalues ascending into w; if vectors, A is
     * overwritten by the eigenvectors as rows (row i of A is the eigenvector of w[i]);
     * otherwise A is destroyed. Workspace is queried and kept by the backend.
     */
    LinalgStatus syevd(int n, DArray a, long ao, DArray w, long wo, boolean vectors);

    /**
     * Inertia of the symmetric n×n matrix A by Bunch-Kaufman LDLᵀ (dsytrf); A is destroyed.
     * An exactly singular D block counts as zero.
     */
    Inertia inertia(int n, DArray a, long ao);

    // ---------------------------------------------------------------- planning

    /**
     * Checks, before a caller allocates {@code bytes} in many arrays, that they fit; throws an
     * exception whose message names the sizes and suggests the CPU or a smaller batch if not.
     * The CPU backend accepts any request (the operating system decides).
     */
    default void ensureFits(long bytes, String what) {
    }

    /**
     * Bytes this backend can still allocate: a GPU's free memory less the reserve it keeps for its
     * libraries, or −1 where the operating system decides (the CPU).
     */
    default long availableBytes() {
        return -1;
    }

    /** A recorded sequence of device work that can be replayed (a CUDA graph). */
    interface Replay extends AutoCloseable {
        /** Queues the recorded work again, on the same buffers, with their current contents. */
        void launch();

        @Override
        void close();
    }

    /**
     * Records {@code work} (which must only queue device work: no host transfers, no
     * allocation) for replay, or returns null where recording is not supported or failed, in
     * which case nothing was executed and the caller runs {@code work} itself. Recording does
     * not execute the work: launch the replay to run it.
     */
    default Replay record(Runnable work) {
        return null;
    }

    /**
     * Backends that can be driven at the same time, one thread each, for an objective split
     * by rows ({@link dev.morse.ad.Shards}); lane 0 is this backend. Arrays do not cross lanes
     * (each lane allocates its own; data moves through the host). Null where the device has one
     * stream of work (CUDA).
     */
    default Lanes lanes(int count) {
        return null;
    }

    /**
     * How many {@link #lanes} would run at once now: on the CPU its BLAS threads (one core per
     * lane); 1 where the backend has no lanes.
     */
    default int parallelLanes() {
        return 1;
    }

    /** {@link #lanes}: count backends and a way to run work on all of them at once. */
    interface Lanes extends AutoCloseable {
        int count();

        /** Lane i's backend (lane 0: the backend that made the lanes). */
        Backend get(int i);

        /**
         * Runs {@code work.accept(i)} for every lane i and returns when all are done: at once,
         * each on its own thread and core, when the machine gives each lane a core (lane 0 on the
         * caller's thread), else one after another on the caller's thread. A lane's work uses
         * only that lane's backend, so both orders compute the same bits. Rethrows the first
         * failure after every lane has stopped.
         */
        void run(java.util.function.IntConsumer work);

        /** Whether {@link #run} runs the lanes at once (it decides per call). */
        boolean concurrent();

        /** Closes lanes 1 and up (lane 0 belongs to its maker). */
        @Override
        void close();
    }

    /** Frees everything this backend owns. Closing twice is harmless. */
    @Override
    void close();
}
