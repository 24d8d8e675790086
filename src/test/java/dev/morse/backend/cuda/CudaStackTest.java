package dev.morse.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.cuda.CudaStack.Layer;
import dev.morse.backend.cuda.CudaStack.State;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The info lines and the device-free report, formatted from given facts. */
class CudaStackTest {
    @Test
    void layersAreOneLineEachWithDetailsIndented() {
        List<Layer> layers = List.of(
                new Layer("runtime libraries", State.OK, "all 2 loaded", List.of("liba.so  morse cache", "libb.so  system")),
                new Layer("driver", State.MISSING, "libcuda.so.1 is missing", List.of()),
                new Layer("devices", State.NOT_APPLICABLE, "not counted: needs the driver", List.of()));
        assertEquals("cuda stack, layer by layer:\n"
                + "  runtime libraries  ok       all 2 loaded\n"
                + "                              liba.so  morse cache\n"
                + "                              libb.so  system\n"
                + "  driver             MISSING  libcuda.so.1 is missing\n"
                + "  devices            n/a      not counted: needs the driver\n", CudaStack.format(layers));
        assertEquals(List.of("driver"), CudaStack.missing(layers));
        assertEquals("sm_70 sm_90", CudaStack.archList(new int[] {70, 90}));
    }

    @Test
    void aLibraryCountsAsLoadedOnlyIfMappedOrLeftToTheSystemsOwnRoot() {
        CudaRedist.Library builtins = new CudaRedist.Library("libnot-loaded-builtins.so.11.8", CudaRedist.Family.NVRTC, 1, "",
                List.of());
        CudaLibraries.Resolution left = new CudaLibraries.Resolution(builtins, CudaLibraries.Source.SYSTEM, null,
                "not on the system: left to the system's libnvrtc.so.11.2");
        java.nio.file.Path cache = java.nio.file.Path.of("/nonexistent-cache");
        Layer ok = CudaStack.runtimeLibraries(new CudaLibraries.Status(cache, List.of(), List.of(left), java.util.Map.of()));
        assertEquals(State.OK, ok.state(), ok.toString());
        CudaLibraries.Resolution cached = new CudaLibraries.Resolution(builtins, CudaLibraries.Source.MORSE_CACHE,
                cache.resolve(builtins.soname()), "morse cache");
        Layer bad = CudaStack.runtimeLibraries(new CudaLibraries.Status(cache, List.of(), List.of(cached),
                java.util.Map.of(builtins.soname(), "cannot open shared object file")));
        assertEquals(State.MISSING, bad.state(), bad.toString());
        assertTrue(bad.details().get(0).endsWith("load failed: cannot open shared object file"), bad.details().get(0));
    }

    @Test
    void thisMachinesStackHasEveryLayerAndNamesWhatIsMissing() {
        List<Layer> layers = CudaStack.inspect();
        assertEquals(List.of("runtime libraries", "NVRTC", "cuBLAS", "cuSOLVER", "kernels", "driver", "devices"),
                layers.stream().map(Layer::name).toList());
        for (Layer l : layers) {
            assertFalse(l.fact().isBlank() || l.fact().contains("\n"), l.toString());
        }
        // the driver line agrees with the probe
        assertEquals(CudaProbe.status().driverVersion() > 0, layers.get(5).state() == State.OK);
    }

    @Test
    void handleCreationIsJudgedByWhetherADriverIsPresent() {
        assertTrue(DeviceFreeCheck.handleRow("h", false, () -> "X_NOT_INITIALIZED", "X_NOT_INITIALIZED", "X_SUCCESS").pass());
        assertFalse(DeviceFreeCheck.handleRow("h", true, () -> "X_NOT_INITIALIZED", "X_NOT_INITIALIZED", "X_SUCCESS").pass());
        DeviceFreeCheck.Row r = DeviceFreeCheck.handleRow("h", false, () -> "X_ALLOC_FAILED", "X_NOT_INITIALIZED", "X_SUCCESS");
        assertEquals("X_ALLOC_FAILED, expected X_NOT_INITIALIZED", r.detail());
        DeviceFreeCheck.Row thrown = DeviceFreeCheck.handleRow("h", false, () -> {
            throw new jcuda.CudaException("X_NOT_INITIALIZED");
        }, "X_NOT_INITIALIZED", "X_SUCCESS");
        assertTrue(thrown.pass(), "with JCuda exceptions enabled the status is the message");
        DeviceFreeCheck.Row unlinked = DeviceFreeCheck.handleRow("h", false, () -> {
            throw new UnsatisfiedLinkError("x\n/tmp/libJCublas2.so: libcublas.so.11: cannot open shared object file");
        }, "X_NOT_INITIALIZED", "X_SUCCESS");
        assertFalse(unlinked.pass());
        assertTrue(unlinked.detail().startsWith("natives not linked: libcublas.so.11 not found: run ./morse gpu-setup"),
                unlinked.detail());
    }

    @Test
    void theReportPassesOnlyIfEveryRowDoes() {
        DeviceFreeCheck.Report ok = new DeviceFreeCheck.Report(List.of(new DeviceFreeCheck.Row("a", true, "fact"),
                new DeviceFreeCheck.Row("bb", true, "other")));
        assertTrue(ok.passed());
        assertEquals("a   pass  fact\nbb  pass  other\nall 2 checks passed\n", ok.table());
        DeviceFreeCheck.Report bad = new DeviceFreeCheck.Report(List.of(new DeviceFreeCheck.Row("a", true, "fact"),
                new DeviceFreeCheck.Row("bb", false, "why")));
        assertFalse(bad.passed());
        assertTrue(bad.table().endsWith("bb  FAIL  why\n1 of 2 checks FAILED\n"), bad.table());
    }
}
