package dev.morse.backend.cuda;

import dev.morse.backend.Backends;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;

/**
 * Skips a GPU test where CUDA is not usable, with the reason where a person reads it: in the
 * assumption (the surefire XML) and once per test class on the console, since Maven's
 * console summary shows only "Skipped: N".
 */
final class CudaAssumptions {
    private static final Set<Class<?>> ANNOUNCED = ConcurrentHashMap.newKeySet();

    private CudaAssumptions() {
    }

    static void assumeUsable(Class<?> test) {
        Backends.CudaStatus st = Backends.cudaStatus();
        if (!st.usable() && ANNOUNCED.add(test)) {
            System.err.println("[morse] " + test.getSimpleName() + " skipped: CUDA not usable: " + st.reason());
        }
        Assumptions.assumeTrue(st.usable(), "CUDA not usable: " + st.reason());
    }
}
