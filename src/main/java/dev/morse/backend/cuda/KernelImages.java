package dev.morse.backend.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the table of contents of the device code morse produces, so that it can be checked
 * without a device: a fatbin's entries (kind and architecture) and a cubin's target.
 *
 * <p>The fatbin layout is not documented by NVIDIA; it is read here as nvcc 13.0's output
 * shows it (checked on every fatbin native/build-kernels.sh writes: the entries tile the
 * container exactly): a 16-byte container header (magic 0xBA55ED50, u16 version, u16 header
 * size, u64 size of the entries), then per entry a u16 kind (1 PTX, 2 ELF), u16, u32 header
 * size, u64 payload size, and the architecture as a u32 at offset 28. A cubin is an ELF64
 * file with e_machine EM_CUDA (190) whose e_flags carry the SM version in the low byte
 * (0x46 = sm_70 ... 0x5a = sm_90 for NVRTC 11.8's cubins).
 */
public final class KernelImages {
    static final int FATBIN_MAGIC = 0xBA55ED50;
    static final int EM_CUDA = 190;

    /** One fatbin entry: PTX (virtual architecture) or ELF (SASS for a real one). */
    public record Entry(boolean ptx, int arch) {
        @Override
        public String toString() {
            return (ptx ? "compute_" : "sm_") + arch;
        }
    }

    private KernelImages() {
    }

    /** The entries of a fatbin; IllegalArgumentException naming the defect if it is not one. */
    public static List<Entry> fatbinEntries(byte[] image) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (image.length < 16 || b.getInt(0) != FATBIN_MAGIC) {
            throw new IllegalArgumentException("not a fatbin (no magic 0xBA55ED50)");
        }
        int headerSize = Short.toUnsignedInt(b.getShort(6));
        long size = b.getLong(8);
        if (headerSize + size != image.length) {
            throw new IllegalArgumentException("fatbin header says " + (headerSize + size) + " bytes, file has " + image.length);
        }
        List<Entry> out = new ArrayList<>();
        long off = headerSize;
        while (off < image.length) {
            if (off + 32 > image.length) {
                throw new IllegalArgumentException("fatbin entry header at " + off + " runs past the end");
            }
            int at = (int) off;
            int kind = Short.toUnsignedInt(b.getShort(at));
            long entryHeader = Integer.toUnsignedLong(b.getInt(at + 4));
            long payload = b.getLong(at + 8);
            if (kind != 1 && kind != 2) {
                throw new IllegalArgumentException("fatbin entry at " + off + " has kind " + kind + " (1 PTX, 2 ELF)");
            }
            if (entryHeader < 32 || payload < 0) {
                throw new IllegalArgumentException("fatbin entry at " + off + " has sizes " + entryHeader + " + " + payload);
            }
            out.add(new Entry(kind == 1, b.getInt(at + 28)));
            off += entryHeader + payload;
        }
        if (off != image.length) {
            throw new IllegalArgumentException("fatbin entries end at " + off + ", file has " + image.length);
        }
        return out;
    }

    /** The SM version a cubin targets (70 for sm_70); IllegalArgumentException if it is not a CUDA ELF. */
    public static int cubinArch(byte[] image) {
        if (image.length < 64 || image[0] != 0x7f || image[1] != 'E' || image[2] != 'L' || image[3] != 'F') {
            throw new IllegalArgumentException("not an ELF file");
        }
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (image[4] != 2 || Short.toUnsignedInt(b.getShort(18)) != EM_CUDA) {
            throw new IllegalArgumentException("not a 64-bit CUDA ELF (class " + image[4] + ", e_machine "
                    + Short.toUnsignedInt(b.getShort(18)) + ")");
        }
        return b.getInt(48) & 0xff;
    }
}
