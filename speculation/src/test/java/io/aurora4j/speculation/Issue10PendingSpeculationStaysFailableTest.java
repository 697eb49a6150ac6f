package io.aurora4j.speculation;

import io.aurora4j.store.Store;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #10, item 9: a pending speculation pins its checkpoint, so its failure stays possible however many
 * checkpoints the group takes meanwhile (a durable group takes 100 a second by default), and the pin goes
 * when the speculation settles, so memory held for it is released.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Issue10PendingSpeculationStaysFailableTest {

    @TempDir
    Path dir;

    @Test
    void aPendingSpeculationSurvives500CheckpointsWithRetention4AndStillFails() throws Exception {
        try (Group g = Group.builder("pinned").retainCheckpoints(4).open()) {
            TLong x = g.newLong("x", 1);
            TLong y = g.newLong("y", 0);
            Outputs out = new Outputs(g);
            Speculation s = Speculation.begin(g);
            s.atomic(() -> {
                x.set(999); // the mispredicted write
                out.boundary.send("speculative");
            });
            for (int i = 0; i < 500; i++) {
                g.atomic(() -> y.add(1));
                g.checkpoint();
                assertTrue(g.history().size() <= 5, "retention 4 plus the pinned checkpoint, was " + g.history().size());
            }
            assertTrue(s.checkpoint().isRetained(), "a pending speculation's checkpoint stays retained");
            assertEquals(1, s.checkpoint().view().get(x), "and its view still reads the state at begin");
            assertEquals(0, s.checkpoint().view().get(y));
            assertTrue(s.fail(new IllegalStateException("mispredicted")));
            assertEquals(1, x.get(), "the mispredicted write is undone");
            assertEquals(0, y.get(), "work after begin is rolled back with it");
            assertFalse(s.confirm(), "a confirm after the failure does not release anything");
            assertEquals(List.of(), out.settled(), "the held output was dropped");
            assertEquals(Speculation.State.ROLLED_BACK, s.outcome().get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aPendingSpeculationOnADurableGroupStaysFailableUnderPeriodicCheckpoints() throws Exception {
        try (Group g = Group.builder("durable-pinned").store(Store.directory(dir)).retainCheckpoints(4)
                .checkpointEvery(Duration.ofMillis(1)).open()) {
            TLong x = g.newLong("x", 1);
            TLong y = g.newLong("y", 0);
            Outputs out = new Outputs(g);
            Speculation s = Speculation.begin(g);
            s.atomic(() -> {
                x.set(999);
                out.boundary.send("speculative");
            });
            long target = s.checkpoint().id() + 500;
            while (newest(g).id() < target) { // the group's own periodic checkpoints, each after a change
                g.atomic(() -> y.add(1));
                Thread.sleep(0, 200_000);
            }
            assertTrue(g.history().size() <= 5, "retention 4 plus the pinned checkpoint, was " + g.history().size());
            assertTrue(s.fail(new IllegalStateException("mispredicted")));
            assertEquals(1, x.get(), "the mispredicted write is undone");
            assertEquals(0, y.get());
            assertFalse(s.confirm());
            assertEquals(List.of(), out.settled(), "the held output was dropped");
        }
    }

    @Test
    void settlingReleasesThePinAndTheMemoryItHeld() throws Exception {
        for (boolean confirm : new boolean[] {true, false}) {
            try (Group g = Group.builder("unpinned-" + confirm).retainCheckpoints(4).maintenanceExecutor(Runnable::run).open()) {
                TLong y = g.newLong("y", 0);
                Speculation s = Speculation.begin(g);
                for (int i = 0; i < 100; i++) {
                    g.atomic(() -> y.add(1));
                    g.checkpoint();
                }
                assertTrue(g.stats().retainedPreImages() >= 100, "one pre-image of y per epoch since the pin: "
                        + g.stats().retainedPreImages());
                assertTrue(confirm ? s.confirm() : s.fail(new RuntimeException("no")));
                for (int i = 0; i < 5; i++) {
                    g.atomic(() -> y.add(1));
                    g.checkpoint();
                }
                assertFalse(s.checkpoint().isRetained(), "once settled, the checkpoint leaves retention like any other");
                assertTrue(g.stats().retainedPreImages() <= 4, "the epochs the pin held were released: "
                        + g.stats().retainedPreImages());
                assertTrue(g.history().size() <= 4);
            }
        }
    }

    private static Checkpoint newest(Group g) {
        List<Checkpoint> h = g.history();
        return h.get(h.size() - 1);
    }
}
