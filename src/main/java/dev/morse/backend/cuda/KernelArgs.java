package dev.morse.backend.cuda;

/**
 * The arguments of one kernel launch, packed in one place: typed scalars and (buffer,
 * element offset) pointers, in the kernel's parameter order. One instance is reused for
 * every launch (no per-launch garbage beyond what JCuda itself needs), and
 * {@link #check(Kernel)} compares count and types with the kernel's C signature before
 * anything reaches the device.
 */
public final class KernelArgs {
    /** C parameter types: int, long long, double, double*, int*. */
    public enum Type {
        I32("int"), I64("long long"), F64("double"), PTR_F64("double*"), PTR_I32("int*");

        private final String c;

        Type(String c) {
            this.c = c;
        }

        /** The C spelling (without const / restrict). */
        public String c() {
            return c;
        }

        public boolean pointer() {
            return this == PTR_F64 || this == PTR_I32;
        }
    }

    static final int MAX = 16;

    private final Type[] types = new Type[MAX];
    private final long[] ints = new long[MAX];
    private final double[] reals = new double[MAX];
    private final DeviceBuffer[] buffers = new DeviceBuffer[MAX];
    private int count;

    /** Clears the arguments for the next launch. */
    public KernelArgs reset() {
        for (int i = 0; i < count; i++) {
            buffers[i] = null;
        }
        count = 0;
        return this;
    }

    private int slot(Type t) {
        if (count == MAX) {
            throw new IllegalStateException("more than " + MAX + " kernel arguments");
        }
        types[count] = t;
        return count++;
    }

    public KernelArgs i32(int v) {
        ints[slot(Type.I32)] = v;
        return this;
    }

    public KernelArgs i64(long v) {
        ints[slot(Type.I64)] = v;
        return this;
    }

    public KernelArgs f64(double v) {
        reals[slot(Type.F64)] = v;
        return this;
    }

    /** A double* at element offset off of b; b == null passes a null pointer (off must be 0). */
    public KernelArgs ptr(DeviceBuffer b, long off) {
        return pointer(Type.PTR_F64, b, off);
    }

    /** An int* at element offset off of b. */
    public KernelArgs iptr(DeviceBuffer b, long off) {
        return pointer(Type.PTR_I32, b, off);
    }

    private KernelArgs pointer(Type t, DeviceBuffer b, long off) {
        if (b == null) {
            if (off != 0) {
                throw new IllegalArgumentException("null kernel pointer with offset " + off);
            }
        } else {
            if (b.ints() != (t == Type.PTR_I32)) {
                throw new IllegalArgumentException("kernel pointer " + t.c() + " to a buffer of "
                        + (b.ints() ? "int32" : "float64"));
            }
            if (off < 0 || off > b.elements()) {
                throw new IndexOutOfBoundsException("kernel pointer offset " + off
                        + " outside a buffer of " + b.elements());
            }
        }
        int i = slot(t);
        buffers[i] = b;
        ints[i] = off;
        return this;
    }

    public int count() {
        return count;
    }

    public Type type(int i) {
        return types[checkIndex(i)];
    }

    /** The value of an I32 or I64 argument. */
    public long integer(int i) {
        checkIndex(i);
        if (types[i] != Type.I32 && types[i] != Type.I64) {
            throw new IllegalStateException("argument " + i + " is " + types[i]);
        }
        return ints[i];
    }

    public double real(int i) {
        checkIndex(i);
        if (types[i] != Type.F64) {
            throw new IllegalStateException("argument " + i + " is " + types[i]);
        }
        return reals[i];
    }

    /** The buffer of a pointer argument (null for a null pointer). */
    public DeviceBuffer buffer(int i) {
        checkIndex(i);
        if (!types[i].pointer()) {
            throw new IllegalStateException("argument " + i + " is " + types[i]);
        }
        return buffers[i];
    }

    /** The element offset of a pointer argument. */
    public long offset(int i) {
        buffer(i);
        return ints[i];
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("argument " + i + " of " + count);
        }
        return i;
    }

    /** Throws IllegalStateException unless count and types equal the kernel's signature. */
    public void check(Kernel k) {
        if (count != k.params().size()) {
            throw new IllegalStateException("kernel " + k.symbol() + " takes " + k.params().size()
                    + " arguments, " + count + " packed");
        }
        for (int i = 0; i < count; i++) {
            if (types[i] != k.params().get(i)) {
                throw new IllegalStateException("kernel " + k.symbol() + " argument " + i + " is "
                        + k.params().get(i).c() + ", packed " + types[i].c());
            }
        }
    }
}
