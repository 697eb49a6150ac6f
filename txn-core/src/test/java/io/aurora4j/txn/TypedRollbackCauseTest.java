package io.aurora4j.txn;

import io.aurora4j.notify.Registration;
import io.aurora4j.notify.RollbackEvent;
import io.aurora4j.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #11 (typed seams): a typed listener gets, for every kind of rollback, the {@link Group}, the {@link Checkpoint}
 * and a {@link RollbackCause} without a cast, and the untyped event of the same rollback alongside. (A failed
 * speculation's cause is checked in the speculation module, which asks for that rollback.)
 */
class TypedRollbackCauseTest {

    @TempDir
    Path dir;

    private static void awaitDelivered(Group g) throws Exception {
        g.notificationsDelivered().get(Concurrently.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Every kind, by an exhaustive switch: no default, so a new kind does not compile until it is handled here. */
    static String describe(RollbackCause cause) {
        return switch (cause) {
            case RollbackCause.Requested r -> "requested by " + r.threadName();
            case RollbackCause.Failure f -> "failed: " + f.failure().getMessage();
            case RollbackCause.SpeculationFailed s -> "speculation #" + s.speculation().id() + ": " + s.failure().getMessage();
            case RollbackCause.RestoredFromStore s -> "restored at #" + s.checkpointId();
        };
    }

    @Test
    void anExplicitRollbackIsRequestedByTheCallingThread() throws Exception {
        try (Group g = Group.inMemory("typed")) {
            TLong x = g.newLong("x", 1);
            List<GroupRollback> seen = new CopyOnWriteArrayList<>();
            g.onGroupRollback(seen::add);
            Checkpoint cp = g.checkpoint("before");
            x.set(2);
            RollbackEvent event = g.rollback(cp);
            awaitDelivered(g);
            assertEquals(1, seen.size());
            GroupRollback r = seen.get(0);
            assertSame(g, r.group());
            assertSame(cp, r.checkpoint());
            assertSame(event, r.event());
            RollbackCause.Requested why = assertInstanceOf(RollbackCause.Requested.class, r.cause());
            assertEquals(Thread.currentThread().getName(), why.threadName());
            assertEquals("requested by " + Thread.currentThread().getName(), describe(r.cause()));
            assertEquals(1, r.group().longRef("x").get(), "the listener reaches the restored state through its group");
        }
    }

    @Test
    void aRollbackWithACauseIsAFailureCarryingThatInstance() throws Exception {
        try (Group g = Group.inMemory("typed")) {
            g.newLong("x", 1);
            List<GroupRollback> seen = new CopyOnWriteArrayList<>();
            g.onGroupRollback(seen::add);
            Checkpoint cp = g.checkpoint();
            IllegalStateException boom = new IllegalStateException("batch failed");
            RollbackEvent event = g.rollback(cp, boom);
            awaitDelivered(g);
            GroupRollback r = seen.get(0);
            assertSame(boom, assertInstanceOf(RollbackCause.Failure.class, r.cause()).failure());
            assertSame(boom, event.cause(), "the untyped event keeps the very instance");
            assertSame(cp, r.checkpoint());
            assertSame(g, r.group());
            assertEquals("failed: batch failed", describe(r.cause()));
        }
    }

    @Test
    void aUserExceptionCannotPassForARequestOrARestore() throws Exception {
        // Whatever Throwable a caller passes, the typed cause is a Failure: only txn-core makes the other kinds, and
        // the description it put in one event is not read back as a request when passed in again.
        try (Group g = Group.inMemory("typed")) {
            List<GroupRollback> seen = new CopyOnWriteArrayList<>();
            g.onGroupRollback(seen::add);
            Checkpoint cp = g.checkpoint();
            RollbackEvent requested = g.rollback(cp);
            g.rollback(cp, requested.cause()); // the description of a request, passed back in as a cause
            awaitDelivered(g);
            assertInstanceOf(RollbackCause.Requested.class, seen.get(0).cause());
            assertSame(requested.cause(), assertInstanceOf(RollbackCause.Failure.class, seen.get(1).cause()).failure());
        }
    }

    @Test
    void aReopenedDurableGroupTellsItsRestoreWithTheGroupAndTheRecoveredCheckpoint() throws Exception {
        long durableId;
        try (Group g = Group.builder("typed-durable").store(Store.directory(dir)).checkpointEvery(Duration.ZERO).open()) {
            g.newLong("x", 7);
            durableId = g.barrier().join().id();
        }
        List<GroupRollback> seen = new CopyOnWriteArrayList<>();
        List<Long> valuesSeen = new CopyOnWriteArrayList<>();
        Store store = Store.directory(dir);
        try (Group g = Group.builder("typed-durable").store(store).checkpointEvery(Duration.ZERO)
                .onGroupRestore(r -> {
                    seen.add(r);
                    valuesSeen.add(r.group().longRef("x").get()); // the group at hand, no registry needed
                })
                .open()) {
            awaitDelivered(g);
            assertEquals(1, seen.size());
            GroupRollback r = seen.get(0);
            assertSame(g, r.group());
            RollbackCause.RestoredFromStore restored = assertInstanceOf(RollbackCause.RestoredFromStore.class, r.cause());
            assertEquals(durableId, restored.checkpointId());
            assertEquals(durableId, r.checkpoint().id());
            assertSame(g.history().get(0), r.checkpoint());
            assertEquals(store.describe(), restored.store());
            assertEquals(List.of(7L), valuesSeen);
            assertEquals("restored at #" + durableId, describe(r.cause()));

            Checkpoint later = g.checkpoint();
            g.rollback(later); // an onGroupRestore listener hears later rollbacks too
            awaitDelivered(g);
            assertEquals(2, seen.size());
            assertInstanceOf(RollbackCause.Requested.class, seen.get(1).cause());
            assertSame(later, seen.get(1).checkpoint());
        }
    }

    @Test
    void aClosedTypedRegistrationHearsNothingMore() throws Exception {
        try (Group g = Group.inMemory("typed")) {
            List<GroupRollback> seen = new CopyOnWriteArrayList<>();
            Registration reg = g.onGroupRollback(seen::add);
            Checkpoint cp = g.checkpoint();
            g.rollback(cp);
            awaitDelivered(g);
            reg.close();
            g.rollback(cp);
            awaitDelivered(g);
            assertEquals(1, seen.size());
            assertEquals(1, seen.get(0).event().sequence());
        }
    }

    @Test
    void typedRegistrationIsRefusedOnAClosedGroupAndForNull() {
        Group g = Group.inMemory("typed");
        assertThrows(NullPointerException.class, () -> g.onGroupRollback(null));
        assertThrows(NullPointerException.class, () -> Group.builder("b").onGroupRestore(null));
        g.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.onGroupRollback(r -> { }));
        assertTrue(e.getMessage().contains("typed"), e.getMessage());
    }
}
