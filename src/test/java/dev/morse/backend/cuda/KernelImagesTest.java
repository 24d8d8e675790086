package dev.morse.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Fatbin tables of contents and cubin targets, read without a device. */
class KernelImagesTest {
    /** A fatbin with the given entries (kind 1 PTX / 2 ELF, arch, payload length). */
    static byte[] fatbin(int[][] entries) {
        int size = 0;
        for (int[] e : entries) {
            size += 64 + e[2];
        }
        ByteBuffer b = ByteBuffer.allocate(16 + size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(KernelImages.FATBIN_MAGIC).putShort((short) 1).putShort((short) 16).putLong(size);
        for (int[] e : entries) {
            int at = b.position();
            b.putShort((short) e[0]).putShort((short) 0x101).putInt(64).putLong(e[2]);
            b.putInt(at + 28, e[1]);
            b.position(at + 64 + e[2]);
        }
        return b.array();
    }

    @Test
    void fatbinEntriesAreRead() {
        byte[] f = fatbin(new int[][] {{1, 80, 100}, {2, 80, 30}, {2, 90, 7}});
        assertEquals(List.of(new KernelImages.Entry(true, 80), new KernelImages.Entry(false, 80), new KernelImages.Entry(false, 90)),
                KernelImages.fatbinEntries(f));
        assertEquals("compute_80", new KernelImages.Entry(true, 80).toString());
        assertEquals("sm_90", new KernelImages.Entry(false, 90).toString());
    }

    @Test
    void brokenFatbinsAreNamed() {
        byte[] f = fatbin(new int[][] {{2, 80, 30}});
        byte[] cut = java.util.Arrays.copyOf(f, f.length - 1);
        assertTrue(KernelImages.fatbinEntries(f).size() == 1);
        assertThrows(IllegalArgumentException.class, () -> KernelImages.fatbinEntries(cut));
        byte[] kind = f.clone();
        kind[16] = 3;
        assertEquals("fatbin entry at 16 has kind 3 (1 PTX, 2 ELF)",
                assertThrows(IllegalArgumentException.class, () -> KernelImages.fatbinEntries(kind)).getMessage());
        byte[] magic = f.clone();
        magic[0] = 0;
        assertThrows(IllegalArgumentException.class, () -> KernelImages.fatbinEntries(magic));
    }

    @Test
    void thePackagedFatbinsHoldWhatTheirManifestSays() {
        Assumptions.assumeTrue(KernelSources.manifest() != null, "no prebuilt fatbins (built without nvcc)");
        for (DeviceFreeCheck.Row r : DeviceFreeCheck.fatbinRows()) {
            assertTrue(r.pass(), r.toString());
        }
    }

    @Test
    void cubinTargetComesFromTheElfFlags() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 51});
        b.putShort(18, (short) KernelImages.EM_CUDA);
        b.putInt(48, 0x005a055a); // what NVRTC 11.8 writes for sm_90
        assertEquals(90, KernelImages.cubinArch(b.array()));
        b.putInt(48, 0x00460546);
        assertEquals(70, KernelImages.cubinArch(b.array()));
        b.putShort(18, (short) 62); // x86-64
        assertThrows(IllegalArgumentException.class, () -> KernelImages.cubinArch(b.array()));
        assertThrows(IllegalArgumentException.class, () -> KernelImages.cubinArch("not an elf".getBytes()));
    }
}
