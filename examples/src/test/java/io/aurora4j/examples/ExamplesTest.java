package io.aurora4j.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs every example end to end and checks what it tells the reader. */
class ExamplesTest {

    @Test
    void demoConservesMoneyRollsBackAndRunsTheHandler() {
        String out = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> capture(() -> Demo.main(new String[0])));
        assertTrue(out.contains("total 4000 (conserved"), out);
        assertTrue(out.contains("its writes were discarded (audit has 0 entries"), out);
        assertTrue(out.contains("step 3 failed: interest-rate service timed out"), out);
        assertTrue(out.contains("handler: group 'bank' rolled back (rollback #1) to checkpoint #1 'before-batch'"), out);
        // The handler runs after the state is restored: it sees the pre-batch total.
        assertTrue(out.contains("handler: state is already restored:") && out.contains("total 4000\n   handler: conservative path"), out);
        assertTrue(out.contains("Retained history: [1]"), out);
    }

    private interface Body {
        void run() throws Exception;
    }

    private static String capture(Body body) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }
}
