// morse kernel harness: runs the kernels of kernels/*.cu on the host, compiled from the
// very same sources (see host_sim.h), on buffers and launches read from a script.
//
// Script (whitespace separated tokens; doubles as C99 hex floats or nan/inf, exact both ways):
//   buf ID f64|i32 LEN v0 v1 ...          define buffer ID with its contents
//   launch NAME GX GY GZ BX BY BZ NARGS   run kernel NAME on that grid, then NARGS args:
//       i32 V | i64 V | f64 V | ptr ID OFFSET | null
//   dump ID                               print "buf ID f64|i32 LEN v0 ..." on stdout
//   end
// Usage: morse-harness SCRIPT   (or - for stdin). Exit code 0 on success, 2 on a script or
// simulation error (message on stderr).
#include "host_sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

MorseDim3 threadIdx, blockIdx, blockDim, gridDim;

#include "../../kernels/elementwise.cu"
#include "../../kernels/reduce.cu"
#include "../../kernels/softmax.cu"
#include "../../kernels/pointwise.cu"

// ---------------------------------------------------------------- launch simulation

namespace {

enum ThreadState { READY, AT_BARRIER, DONE };

const size_t STACK_BYTES = 64 * 1024;

ucontext_t g_scheduler;
std::vector<ucontext_t> g_ctx;
std::vector<std::vector<char>> g_stacks;
std::vector<ThreadState> g_state;
std::vector<MorseDim3> g_tid;
size_t g_current = 0;
const std::function<void()>* g_body = nullptr;

void trampoline() {
    (*g_body)();
    g_state[g_current] = DONE;
    // returning resumes uc_link = g_scheduler
}

[[noreturn]] void fail(const std::string& msg) {
    throw std::runtime_error(msg);
}

// Kept out of line: getcontext "returns twice", which must not touch run_block's loops.
__attribute__((noinline)) void init_thread(size_t t, MorseDim3 tid) {
    g_tid[t] = tid;
    g_state[t] = READY;
    if (g_stacks[t].empty()) {
        g_stacks[t].resize(STACK_BYTES);
    }
    if (getcontext(&g_ctx[t]) != 0) {
        fail(std::string("getcontext: ") + strerror(errno));
    }
    g_ctx[t].uc_stack.ss_sp = g_stacks[t].data();
    g_ctx[t].uc_stack.ss_size = STACK_BYTES;
    g_ctx[t].uc_link = &g_scheduler;
    makecontext(&g_ctx[t], trampoline, 0);
}

void run_block(const std::function<void()>& body, const char* name) {
    size_t nt = (size_t)blockDim.x * blockDim.y * blockDim.z;
    if (g_ctx.size() < nt) {
        g_ctx.resize(nt);
        g_stacks.resize(nt);
        g_state.resize(nt);
        g_tid.resize(nt);
    }
    g_body = &body;
    size_t t = 0;
    for (unsigned z = 0; z < blockDim.z; z++) {
        for (unsigned y = 0; y < blockDim.y; y++) {
            for (unsigned x = 0; x < blockDim.x; x++, t++) {
                init_thread(t, MorseDim3{x, y, z});
            }
        }
    }
    for (;;) {
        // one round: every live thread runs until it finishes or reaches a barrier
        for (t = 0; t < nt; t++) {
            if (g_state[t] == DONE) {
                continue;
            }
            g_state[t] = READY;
            g_current = t;
            threadIdx = g_tid[t];
            if (swapcontext(&g_scheduler, &g_ctx[t]) != 0) {
                fail(std::string("swapcontext: ") + strerror(errno));
            }
        }
        size_t done = 0;
        size_t waiting = 0;
        for (t = 0; t < nt; t++) {
            done += g_state[t] == DONE;
            waiting += g_state[t] == AT_BARRIER;
        }
        if (done == nt) {
            return;
        }
        if (done > 0 && waiting > 0) {
            fail(std::string("kernel ") + name + ": divergent __syncthreads (" +
                 std::to_string(done) + " threads exited while " + std::to_string(waiting) +
                 " wait at a barrier)");
        }
    }
}

void launch(MorseDim3 grid, MorseDim3 block, const char* name,
            const std::function<void()>& body) {
    if (grid.x == 0 || grid.y == 0 || grid.z == 0 || block.x == 0 || block.y == 0 ||
        block.z == 0) {
        fail(std::string("kernel ") + name + ": empty grid or block (invalid launch on a GPU)");
    }
    if ((size_t)block.x * block.y * block.z > 1024) {
        fail(std::string("kernel ") + name + ": more than 1024 threads per block");
    }
    if (grid.y > 65535 || grid.z > 65535) {
        fail(std::string("kernel ") + name + ": grid y or z above 65535");
    }
    gridDim = grid;
    blockDim = block;
    for (unsigned z = 0; z < grid.z; z++) {
        for (unsigned y = 0; y < grid.y; y++) {
            for (unsigned x = 0; x < grid.x; x++) {
                blockIdx = MorseDim3{x, y, z};
                run_block(body, name);
            }
        }
    }
}

}  // namespace

void morse_sim_syncthreads() {
    g_state[g_current] = AT_BARRIER;
    if (swapcontext(&g_ctx[g_current], &g_scheduler) != 0) {
        fail(std::string("swapcontext: ") + strerror(errno));
    }
}

// ---------------------------------------------------------------- buffers and arguments

namespace {

struct Buffer {
    bool isInt = false;
    std::vector<double> d;
    std::vector<int> i;
    size_t size() const { return isInt ? i.size() : d.size(); }
};

std::map<long, Buffer> g_buffers;

struct Arg {
    std::string type;  // i32 i64 f64 ptr null
    long long iv = 0;
    double dv = 0;
    long id = 0;
    long long off = 0;
};

struct Args {
    const std::string& kernel;
    std::vector<Arg> a;
    size_t next = 0;

    const Arg& take(const char* want) {
        if (next >= a.size()) {
            fail("kernel " + kernel + ": too few arguments");
        }
        const Arg& x = a[next++];
        if (x.type != want && !(x.type == "null" && strcmp(want, "ptr") == 0)) {
            fail("kernel " + kernel + ": argument " + std::to_string(next - 1) + " is " + x.type +
                 ", the kernel expects " + want);
        }
        return x;
    }
    int i32() { return (int)take("i32").iv; }
    long long i64() { return take("i64").iv; }
    double f64() { return take("f64").dv; }
    template <class T>
    T* ptr() {
        const Arg& x = take("ptr");
        if (x.type == "null") {
            return nullptr;
        }
        auto it = g_buffers.find(x.id);
        if (it == g_buffers.end()) {
            fail("kernel " + kernel + ": unknown buffer " + std::to_string(x.id));
        }
        Buffer& b = it->second;
        bool wantInt = sizeof(T) == sizeof(int);
        if (b.isInt != wantInt) {
            fail("kernel " + kernel + ": buffer " + std::to_string(x.id) + " has the wrong type");
        }
        if (x.off < 0 || (size_t)x.off > b.size()) {
            fail("kernel " + kernel + ": offset out of range");
        }
        if (wantInt) {
            return reinterpret_cast<T*>(b.i.data() + x.off);
        }
        return reinterpret_cast<T*>(b.d.data() + x.off);
    }
    void end() {
        if (next != a.size()) {
            fail("kernel " + kernel + ": " + std::to_string(a.size()) + " arguments given, " +
                 std::to_string(next) + " expected");
        }
    }
};

// Each entry unpacks the arguments in the kernel's declared order and launches it.
using Dispatch = std::function<void(Args&, MorseDim3, MorseDim3)>;

#define LAUNCH(NAME, ...)                                          \
    {                                                              \
        args.end();                                                \
        launch(g, b, #NAME, [&] { NAME(__VA_ARGS__); });           \
    }

std::map<std::string, Dispatch> dispatch_table() {
    std::map<std::string, Dispatch> m;
    m["morse_fill"] = [](Args& args, MorseDim3 g, MorseDim3 b) {
        long long n = args.i64();
        double v = args.f64();
        double* y = args.ptr<double>();
        LAUNCH(morse_fill, n, v, y);
    };
    m["morse_axpby"] = [](Args& args, MorseDim3 g, MorseDim3 b) {
        long long n = args.i64();
        double a = args.f64();
        double* x = args.ptr<double>();
        double bb = args.f64();
        double* y = args.ptr<double>();
        LAUNCH(morse_axpby, n, a, x, bb, y);
    };
    m["morse_unary"] = [](Args& args, MorseDim3 g, MorseDim3 b) {
        int code = args.i32();
        int p = args.i32();
        long long n = args.i64();
        double* x = args.ptr<double>();
        double* y = args.ptr<double>();
        LAUNCH(morse_unary, code, p, n, x, y);
    };
    m["morse_unary_derivatives"] = [](Args& args, MorseDim3 g, MorseDim3 b) {
        int code = args.i32();
        int p = args.i32();
        long long n = args.i64();
        double* x = args.ptr<double>();
        double* y = args.ptr<double>();
        double* d1 = args.ptr<double>();
        double* d2 = args.ptr<double>();
        LAUNCH(morse_unary_derivatives, code, p, n, x, y, d1, d2);
    };
    m["morse_mul_shared"] = [](Args& args, MorseDim3 g, MorseDim3 b) {
        long long n = args.i64();
        int k = args.i32();
        double alpha = args.f64();
        double* x = args.ptr<double>();
        double* y = args.ptr<double>();
        double beta = args.f64();
        double* z = args.ptr<double>();
        LAUNCH(morse_mul_shared, n, k, alpha, x, y, beta, z);
    };
    m["morse_mul2_shared"] = [](Args& args, MorseDim3 g, MorseDim3 b) {
        long long n = args.i64();
        int k = args.i32();
        double* a = args.ptr<double>();
        double* x = args.ptr<double>();
        double* bb = args.ptr<double>();
        double* y = args.ptr<double>();
        double beta = args.f64();
        double* z = args.ptr<double>();
        LAUNCH(morse_mul2_shared, n, k, a, x, bb, y, beta, z);
    };
    m["morse_scale_by_scalar"] = [](Args& args, MorseDim3 g, MorseDim3 b) {
        long long n = args.i64();
        int k = args.i32();
        double alpha = args.f64();
        double* s = args.ptr<double>();
        int sPerBlock = args.i32();
        double* x = args.ptr<double>();
        int xMode = args.i32();
        double beta = args.f64();
        double* y = args.ptr<double>();
        LAUNCH(morse_scale_by_scalar, n, k, alpha, s, sPerBlock, x, xMode, beta, y);
    };
    m["morse_add_row_vector"] = [](Args& args, MorseDim3 g, MorseDim3 b) {
        int rows = args.i32();
        int cols = args.i32();
        int k = args.i32();
        double alpha = args.f64();
        double* bv = args.ptr<double>();
        int bPerBlock = args.i32();
        double* z = args.ptr<double>();
        LAUNCH(morse_add_row_vector, rows, cols, k, alpha, bv, bPerBlock, z);
    };
    m["morse_bias_unary"] = [](Args& args, MorseDim3 g, MorseDim3 b) {
        int code = args.i32();
        int p = args.i32();
        int rows = args.i32();
        int cols = args.i32();
        double* bv = args.ptr<double>();
        double* z = args.ptr<double>();
        double* y = args.ptr<double>();
        double* d1 = args.ptr<double>();
        double* d2 = args.ptr<double>();
        LAUNCH(morse_bias_unary, code, p, rows, cols, bv, z, y, d1, d2);
    };
    m["morse_bias_mul_shared"] = [](Args& args, MorseDim3 g, MorseDim3 b) {
        int rows = args.i32();
        int cols = args.i32();
        int k = args.i32();
        double* bv = args.ptr<double>();
        int bPerBlock = args.i32();
        double* z = args.ptr<double>();
        double* d = args.ptr<double>();
        double* y = args.ptr<double>();
        LAUNCH(morse_bias_mul_shared, rows, cols, k, bv, bPerBlock, z, d, y);
    };
    m["morse_sums"] = [](Args& args, MorseDim3 g, MorseDim3 b) {
        long long n = args.i64();
        int k = args.i32();
        int parts = args.i32();
        double alpha = args.f64();
        double* x = args.ptr<double>();
        double beta = args.f64();
        double* y = args.ptr<double>();
        double* partial = args.ptr<double>();
        LAUNCH(morse_sums, n, k, parts, alpha, x, beta, y, partial);
    };
    m["morse_sums_final"] = [](Args& args, MorseDim3 g, MorseDim3 b) {
        int k = args.i32();
        int parts = args.i32();
        double alpha = args.f64();
        double* partial = args.ptr<double>();
        double beta = args.f64();
        double* y = args.ptr<double>();
        LAUNCH(morse_sums_final, k, parts, alpha, partial, beta, y);
    };
    m["morse_column_sums"] = [](Args& args, MorseDim3 g, MorseDim3 b) {
        int rows = args.i32();
        int cols = args.i32();
        int k = args.i32();
        int chunkRows = args.i32();
        int chunks = args.i32();
        double alpha = args.f64();
        double* x = args.ptr<double>();
        double beta = args.f64();
        double* y = args.ptr<double>();
        double* partial = args.ptr<double>();
        LAUNCH(morse_column_sums, rows, cols, k, chunkRows, chunks, alpha, x, beta, y, partial);
    };
    m["morse_column_sums_final"] = [](Args& args, MorseDim3 g, MorseDim3 b) {
        int cols = args.i32();
        int k = args.i32();
        int chunks = args.i32();
        double alpha = args.f64();
        double* partial = args.ptr<double>();
        double beta = args.f64();
        double* y = args.ptr<double>();
        LAUNCH(morse_column_sums_final, cols, k, chunks, alpha, partial, beta, y);
    };
    m["morse_softmax_xent"] = [](Args& args, MorseDim3 g, MorseDim3 b) {
        int rows = args.i32();
        int cols = args.i32();
        int parts = args.i32();
        double* z = args.ptr<double>();
        int* labels = args.ptr<int>();
        double* p = args.ptr<double>();
        double* gg = args.ptr<double>();
        double* loss = args.ptr<double>();
        double* partial = args.ptr<double>();
        LAUNCH(morse_softmax_xent, rows, cols, parts, z, labels, p, gg, loss, partial);
    };
    m["morse_softmax_xent_loss"] = [](Args& args, MorseDim3 g, MorseDim3 b) {
        int rows = args.i32();
        int parts = args.i32();
        double* partial = args.ptr<double>();
        double* loss = args.ptr<double>();
        LAUNCH(morse_softmax_xent_loss, rows, parts, partial, loss);
    };
    m["morse_max"] = [](Args& args, MorseDim3 g, MorseDim3 b) {
        long long n = args.i64();
        double* a = args.ptr<double>();
        double* bb = args.ptr<double>();
        double* y = args.ptr<double>();
        double* mm = args.ptr<double>();
        LAUNCH(morse_max, n, a, bb, y, mm);
    };
    m["morse_softmax_ce_tvjp"] = [](Args& args, MorseDim3 g, MorseDim3 b) {
        int rows = args.i32();
        int cols = args.i32();
        int k = args.i32();
        double alpha = args.f64();
        double* p = args.ptr<double>();
        double* gg = args.ptr<double>();
        double* dz = args.ptr<double>();
        double* l = args.ptr<double>();
        double* ldot = args.ptr<double>();
        double beta = args.f64();
        double* out = args.ptr<double>();
        LAUNCH(morse_softmax_ce_tvjp, rows, cols, k, alpha, p, gg, dz, l, ldot, beta, out);
    };
    return m;
}

// ---------------------------------------------------------------- script reader

struct Reader {
    FILE* f;
    std::string tok() {
        std::string s;
        int c;
        while ((c = fgetc(f)) != EOF && (c == ' ' || c == '\n' || c == '\t' || c == '\r')) {
        }
        while (c != EOF && c != ' ' && c != '\n' && c != '\t' && c != '\r') {
            s.push_back((char)c);
            c = fgetc(f);
        }
        return s;
    }
    std::string need() {
        std::string s = tok();
        if (s.empty()) {
            fail("unexpected end of script");
        }
        return s;
    }
    long long integer() {
        std::string s = need();
        char* end = nullptr;
        errno = 0;
        long long v = strtoll(s.c_str(), &end, 10);
        if (errno != 0 || *end != '\0') {
            fail("not an integer: " + s);
        }
        return v;
    }
    double real() {
        std::string s = need();
        char* end = nullptr;
        double v = strtod(s.c_str(), &end);
        if (*end != '\0') {
            fail("not a number: " + s);
        }
        return v;
    }
};

unsigned dim(long long v) {
    if (v < 0 || v > 0x7fffffffLL) {
        fail("grid or block dimension out of range: " + std::to_string(v));
    }
    return (unsigned)v;
}

void dump(long id) {
    auto it = g_buffers.find(id);
    if (it == g_buffers.end()) {
        fail("dump of unknown buffer " + std::to_string(id));
    }
    const Buffer& b = it->second;
    printf("buf %ld %s %zu", id, b.isInt ? "i32" : "f64", b.size());
    for (size_t k = 0; k < b.size(); k++) {
        if (b.isInt) {
            printf(" %d", b.i[k]);
        } else {
            printf(" %a", b.d[k]);
        }
    }
    printf("\n");
}

void run(FILE* f) {
    std::map<std::string, Dispatch> table = dispatch_table();
    Reader r{f};
    for (;;) {
        std::string cmd = r.tok();
        if (cmd.empty() || cmd == "end") {
            return;
        }
        if (cmd == "buf") {
            long id = (long)r.integer();
            std::string type = r.need();
            long long len = r.integer();
            if (len < 0) {
                fail("negative buffer length");
            }
            Buffer b;
            b.isInt = type == "i32";
            if (!b.isInt && type != "f64") {
                fail("buffer type must be f64 or i32: " + type);
            }
            for (long long k = 0; k < len; k++) {
                if (b.isInt) {
                    b.i.push_back((int)r.integer());
                } else {
                    b.d.push_back(r.real());
                }
            }
            g_buffers[id] = std::move(b);
        } else if (cmd == "launch") {
            std::string name = r.need();
            MorseDim3 g{dim(r.integer()), dim(r.integer()), dim(r.integer())};
            MorseDim3 b{dim(r.integer()), dim(r.integer()), dim(r.integer())};
            long long nargs = r.integer();
            auto it = table.find(name);
            if (it == table.end()) {
                fail("unknown kernel " + name);
            }
            Args args{name, {}, 0};
            for (long long k = 0; k < nargs; k++) {
                Arg a;
                a.type = r.need();
                if (a.type == "i32" || a.type == "i64") {
                    a.iv = r.integer();
                } else if (a.type == "f64") {
                    a.dv = r.real();
                } else if (a.type == "ptr") {
                    a.id = (long)r.integer();
                    a.off = r.integer();
                } else if (a.type != "null") {
                    fail("unknown argument type " + a.type);
                }
                args.a.push_back(a);
            }
            it->second(args, g, b);
        } else if (cmd == "dump") {
            dump((long)r.integer());
        } else {
            fail("unknown command " + cmd);
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: morse-harness SCRIPT|-\n");
        return 2;
    }
    FILE* f = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "r");
    if (f == nullptr) {
        fprintf(stderr, "morse-harness: cannot open %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    try {
        run(f);
    } catch (const std::exception& e) {
        fprintf(stderr, "morse-harness: %s\n", e.what());
        return 2;
    }
    fflush(stdout);
    return 0;
}
