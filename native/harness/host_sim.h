// Host simulation of the CUDA execution model, just enough for morse's kernels:
// threadIdx / blockIdx / blockDim / gridDim are globals set by the launch loop, and every
// simulated thread runs on its own ucontext stack so that __syncthreads (MORSE_SYNC) is a
// real barrier: a thread reaching it yields to the block scheduler, which resumes the
// threads only when all of them have reached it. A block in which some threads finish
// while others wait at a barrier is reported as divergent __syncthreads (an error on a
// GPU too). Blocks run one after another, so function-local statics are per-block shared
// memory (MORSE_SHARED).
#ifndef MORSE_HOST_SIM_H
#define MORSE_HOST_SIM_H

#define MORSE_HOST_SIM 1

#include <math.h>

struct MorseDim3 {
    unsigned x, y, z;
};

extern MorseDim3 threadIdx, blockIdx, blockDim, gridDim;

void morse_sim_syncthreads();

#define MORSE_HD static inline
#define MORSE_KERNEL extern "C"
#define MORSE_SHARED static
#define MORSE_SYNC() morse_sim_syncthreads()

#endif
