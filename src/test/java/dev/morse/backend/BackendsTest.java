package dev.morse.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Backend selection. Where CUDA is usable (a GPU machine) the cuda branches are checked for
 * that; elsewhere for the one-line reason and the dedicated exception.
 */
class BackendsTest {
    @Test
    void parsesChoices() {
        assertEquals(Backends.Choice.AUTO, Backends.Choice.parse("auto"));
        assertEquals(Backends.Choice.CUDA, Backends.Choice.parse(" CUDA "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.Choice.parse("gpu"));
        assertTrue(e.getMessage().contains("auto, cpu or cuda"));
    }

    @Test
    void resolvesWhatABatchsWorkersOpen() {
        Backends.Resolution cpu = Backends.resolve(Backends.Choice.CPU);
        assertEquals(Backends.Choice.CPU, cpu.backend());
        try (Backend b = cpu.open()) {
            assertEquals("cpu", b.name());
        }
        Backends.CudaStatus st = Backends.cudaStatus();
        Backends.Resolution auto = Backends.resolve(Backends.Choice.AUTO);
        assertFalse(auto.reason().contains("\n"));
        assertTrue(auto.reason().startsWith("auto → "), auto.reason());
        if (!st.usable()) {
            assertEquals(Backends.Choice.CPU, auto.backend());
            assertEquals("auto → cpu (CUDA not usable: " + st.reason() + ")", auto.reason());
            assertThrows(BackendUnavailableException.class, () -> Backends.resolve(Backends.Choice.CUDA));
        }
    }

    @Test
    void cpuIsAlwaysAvailable() {
        try (Backend b = Backends.open("cpu").backend()) {
            assertEquals("cpu", b.name());
        }
    }

    @Test
    void autoFallsBackWithAOneLineReasonAndCudaThrowsIt() {
        Backends.CudaStatus st = Backends.cudaStatus();
        assertFalse(st.reason().isBlank());
        assertFalse(st.reason().contains("\n"), "one line: " + st.reason());
        Backends.Selection auto = Backends.open("auto");
        try (Backend b = auto.backend()) {
            assertFalse(auto.reason().contains("\n"));
            if (st.usable()) {
                assertEquals("cuda", b.name());
            } else {
                assertEquals("cpu", b.name());
                assertTrue(auto.reason().contains(st.reason()), auto.reason());
            }
        }
        if (!st.usable()) {
            BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.open("cuda"));
            assertEquals(st.reason(), e.reason());
            assertEquals("cuda", e.backend());
            assertTrue(Backends.devices().isEmpty());
        } else {
            assertFalse(Backends.devices().isEmpty());
        }
    }
}
