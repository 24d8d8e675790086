// Shared definitions for morse's CUDA kernels.
//
// The same sources are compiled three ways:
//   * by nvcc (native/build-kernels.sh) into fatbins for sm_80 / sm_90 plus compute_80 PTX,
//   * by NVRTC at run time (dev.morse.backend.cuda.KernelLoader), where no system header exists,
//   * by g++ for the host (native/harness), which defines MORSE_HOST_SIM and simulates
//     threadIdx / blockIdx / blockDim / gridDim and __syncthreads with a launch loop.
// So: no #include of system headers here, device math only through the MORSE_HD functions,
// every kernel a grid-stride loop over a flat index, every __syncthreads reached by all
// threads of a block (the host harness checks this).
#ifndef MORSE_COMMON_CUH
#define MORSE_COMMON_CUH

#if defined(__CUDACC__)
#define MORSE_HD __device__ __forceinline__
#define MORSE_KERNEL extern "C" __global__
#define MORSE_SHARED __shared__
#define MORSE_SYNC() __syncthreads()
#elif defined(MORSE_HOST_SIM)
// provided by native/harness/host_sim.h, included before this file
#else
#error "morse kernels: compile with nvcc / NVRTC, or for the host through native/harness/host_sim.h"
#endif

#define MORSE_RESTRICT __restrict__

#if defined(__CUDACC__)
#define MORSE_NAN __longlong_as_double(0x7ff8000000000000LL)
#else
#define MORSE_NAN __builtin_nan("")
#endif

// Threads per block of the reduction kernels (a power of two; the Java side's
// LaunchConfig.REDUCE_THREADS must agree, which a unit test checks).
#define MORSE_REDUCE_THREADS 256
// Column-sum tiles: MORSE_COLSUM_TX columns by MORSE_COLSUM_TY row lanes (power of two).
#define MORSE_COLSUM_TX 32
#define MORSE_COLSUM_TY 8

// Grid-stride loops over a flat index; 64-bit so that n > 2^31 works.
#define MORSE_FOR_X(i, n)                                                              \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n);      \
         i += (long long)gridDim.x * blockDim.x)
// Blocks j of k along grid y (grid-stride: k may exceed the grid's y limit).
#define MORSE_FOR_Y(j, k) for (int j = (int)blockIdx.y; j < (k); j += (int)gridDim.y)
#define MORSE_FOR_Z(j, k) for (int j = (int)blockIdx.z; j < (k); j += (int)gridDim.z)

// In-block tree reduction of sh[0..MORSE_REDUCE_THREADS) into sh[0]; fixed order, so
// results are reproducible run to run. Must be reached by every thread of the block.
MORSE_HD void morse_block_sum(double* sh, unsigned t) {
    MORSE_SYNC();
    for (unsigned s = MORSE_REDUCE_THREADS / 2; s > 0; s >>= 1) {
        if (t < s) {
            sh[t] += sh[t + s];
        }
        MORSE_SYNC();
    }
}

#endif
