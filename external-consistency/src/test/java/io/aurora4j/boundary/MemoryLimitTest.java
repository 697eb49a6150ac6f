package io.aurora4j.boundary;

import io.aurora4j.txn.Group;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Memory is bounded: a full boundary blocks or fails a send with a clear exception, never drops. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MemoryLimitTest {

    @Test
    void failPolicyRefusesTheSendNamingGroupBoundaryAndLimit() {
        try (Group g = Group.inMemory("shop")) {
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = Boundary.<String>builder(g, "mail").sink(Sink.of(sink)).releaseExecutor(ex)
                    .maxHeld(2, Boundary.WhenFull.FAIL).open();
            b.send("1");
            b.send("2");
            BoundaryFullException e = assertThrows(BoundaryFullException.class, () -> b.send("3"));
            assertTrue(e.getMessage().contains("boundary 'mail' of group 'shop' holds 2 outputs"), e.getMessage());
            assertEquals("shop", e.group());
            assertEquals("mail", e.boundary());
            assertEquals(2, e.limit());
            ex.runAll();
            b.send("3");
            ex.runAll();
            assertEquals(List.of("1", "2", "3"), sink.got, "the refused output was not sent; nothing was dropped");
        }
    }

    @Test
    void blockPolicyWaitsForRoomAndTimesOutClearly() throws Exception {
        try (Group g = Group.inMemory("block")) {
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = Boundary.<String>builder(g, "out").sink(Sink.of(sink)).releaseExecutor(ex)
                    .maxHeld(1, Boundary.WhenFull.BLOCK).maxBlock(Duration.ofMillis(100)).open();
            b.send("1");
            BoundaryFullException timedOut = assertThrows(BoundaryFullException.class, () -> b.send("2"));
            assertTrue(timedOut.getMessage().contains("maxBlock"), timedOut.getMessage());

            Boundary<String> patient = Boundary.<String>builder(g, "patient").sink(Sink.of(sink)).releaseExecutor(ex)
                    .maxHeld(1, Boundary.WhenFull.BLOCK).open();
            patient.send("a");
            CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> patient.send("b"));
            Thread.sleep(50);
            assertFalse(blocked.isDone(), "the second send waits for room");
            ex.runAll(); // releases "1" and "a": room again
            blocked.get(10, TimeUnit.SECONDS);
            ex.runAll();
            assertEquals(List.of("1", "a", "b"), sink.got);
        }
    }

    @Test
    void roomTakenInATransactionIsGivenBackWhenItRollsBack() {
        try (Group g = Group.inMemory("txn-room")) {
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = Boundary.<String>builder(g, "out").sink(Sink.of(s -> { })).releaseExecutor(ex)
                    .maxHeld(1, Boundary.WhenFull.FAIL).open();
            assertThrows(IllegalStateException.class, () -> g.atomic(() -> {
                b.send("x");
                throw new IllegalStateException("abort");
            }));
            assertEquals(0, b.stats().pending());
            g.atomic(() -> {
                b.send("y");
                // the transaction's own output counts: room is decided at send time, never at the commit
                assertThrows(BoundaryFullException.class, () -> b.send("z"));
            });
            assertEquals(1, b.stats().pending());
            ex.runAll();
            assertEquals(0, b.stats().pending());
        }
    }

    @Test
    void closingWakesABlockedSenderWithAClearError() throws Exception {
        try (Group g = Group.inMemory("close")) {
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = Boundary.<String>builder(g, "out").sink(Sink.of(s -> { })).releaseExecutor(ex)
                    .maxHeld(1, Boundary.WhenFull.BLOCK).open();
            b.send("1");
            CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> b.send("2"));
            Thread.sleep(50);
            b.close();
            Throwable e = assertThrows(Exception.class, () -> blocked.get(10, TimeUnit.SECONDS)).getCause();
            assertInstanceOf(IllegalStateException.class, e);
            assertTrue(e.getMessage().contains("boundary 'out' of group 'close' is closed"), e.getMessage());
        }
    }
}
