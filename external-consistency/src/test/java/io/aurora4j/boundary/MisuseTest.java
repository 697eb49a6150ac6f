package io.aurora4j.boundary;

import io.aurora4j.txn.Group;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Misuse fails at once with a message naming the group and the boundary. */
class MisuseTest {

    @Test
    void aDuplicateIdIsRefusedUntilTheFirstIsClosed() {
        try (Group g = Group.inMemory("ids")) {
            Boundary<String> first = Boundary.external(g, "mail", s -> { });
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Boundary.immediate(g, "mail", s -> { }));
            assertTrue(e.getMessage().contains("group 'ids' already has an open boundary 'mail'"), e.getMessage());
            first.close();
            first.close(); // idempotent
            Boundary.external(g, "mail", s -> { }).close();
        }
    }

    @Test
    void sendingThroughAClosedBoundaryOrGroupFails() throws Exception {
        Group g = Group.inMemory("closing");
        Boundary<String> b = Boundary.external(g, "out", s -> { });
        Boundary<String> other = Boundary.external(g, "other", s -> { });
        b.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.send("x"));
        assertEquals("boundary 'out' of group 'closing' is closed", e.getMessage());
        b.flush().get(10, TimeUnit.SECONDS); // still answers
        g.close();
        e = assertThrows(IllegalStateException.class, () -> other.send("x"));
        assertTrue(e.getMessage().contains("group 'closing' is closed"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> Boundary.external(g, "late", s -> { }));
        assertTrue(e.getMessage().contains("group 'closing' is closed"), e.getMessage());
    }

    @Test
    void builderSettingsAreGivenOnceAndChecked() {
        try (Group g = Group.inMemory("builder")) {
            Boundary.Builder<String> b = Boundary.<String>builder(g, "b").maxHeld(10, Boundary.WhenFull.FAIL);
            IllegalStateException twice = assertThrows(IllegalStateException.class, () -> b.maxHeld(20, Boundary.WhenFull.BLOCK));
            assertEquals("maxHeld was already set to 10 (FAIL)", twice.getMessage());
            IllegalStateException noSink = assertThrows(IllegalStateException.class, b::open);
            assertTrue(noSink.getMessage().contains("boundary 'b' of group 'builder' needs a sink"), noSink.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Boundary.<String>builder(g, "c").maxHeld(0, Boundary.WhenFull.FAIL));
            assertThrows(IllegalArgumentException.class, () -> Boundary.<String>builder(g, "c").maxBlock(Duration.ZERO));
            assertThrows(IllegalArgumentException.class, () -> Boundary.<String>builder(g, " "));
            assertThrows(IllegalArgumentException.class, () -> RetryPolicy.attempts(0, Duration.ZERO));
            b.sink(Sink.of(s -> { }));
            b.open();
            assertThrows(IllegalStateException.class, b::open);
            assertThrows(NullPointerException.class, () -> Boundary.external(g, "n", s -> { }).send(null));
        }
    }
}
