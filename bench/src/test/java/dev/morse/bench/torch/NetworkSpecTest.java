package dev.morse.bench.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NetworkSpecTest {

    @Test
    void parsesWidthsExamplesAndFlags() {
        NetworkSpec s = NetworkSpec.parse("32-32-4-2@50:nobias");
        assertArrayEquals(new int[] {32, 32, 4, 2}, s.widths());
        assertEquals(50, s.examples());
        assertFalse(s.bias());
        assertFalse(s.mse());
        assertEquals(3, s.layers());

        NetworkSpec m = NetworkSpec.parse("16-8-16-16@10000:mse");
        assertTrue(m.mse());
        assertTrue(m.bias());
        assertEquals(NetworkSpec.parse("16-8-16-16@10000:nobias:mse"), NetworkSpec.parse("16-8-16-16@10000:mse:nobias"));
    }

    @Test
    void nameDropsFlagsAndToStringKeepsThem() {
        assertEquals("784-1024-10@60000", NetworkSpec.parse("784-1024-10@60000").name());
        assertEquals("32-32-4-2@50", NetworkSpec.parse("32-32-4-2@50:nobias").name());
        assertEquals("16-8-16-16@10000:mse", NetworkSpec.parse("16-8-16-16@10000:mse").toString());
    }

    @Test
    void countsParameters() {
        // 784·1024 + 1024 + 1024·10 + 10
        assertEquals(814_090, NetworkSpec.parse("784-1024-10@60000").parameterCount());
        // 32·32 + 32·4 + 4·2, no biases
        assertEquals(1_160, NetworkSpec.parse("32-32-4-2@50:nobias").parameterCount());
    }

    @Test
    void rejectsBadInputWithTheOffendingText() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse("32-32-4-2"))
                .getMessage().contains("32-32-4-2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse("32-4@50:relu"))
                .getMessage().contains("relu"));
        assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse("32@50"));
        assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse("32-0-2@50"));
        assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse("32-x-2@50"));
        assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse("32-2@0"));
    }
}
