package io.aurora4j.txn;

import io.aurora4j.store.Codecs;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #10, defect 13: one value the codecs could not write (one bad {@code put}) failed a durable group's
 * durability for good at the next flush. A value whose class cannot be written is now rejected at the write; what
 * only encoding finds (inside a list or a record, or too large for a record) fails only the checkpoints that hold it,
 * with an exception naming the object, and durability resumes once the value is overwritten or rolled back.
 */
@Timeout(120)
class UnwritableValueIssue10Test {
    @TempDir
    Path dir;

    /** A record whose component may hold anything: only encoding sees what. */
    record Box(Object content) {
    }

    private Group durable(String name) {
        return Group.builder(name).store(Store.directory(dir)).codecs(Codecs.builder().allowRecord(Box.class).build())
                .checkpointEvery(Duration.ofMillis(10)).open();
    }

    private static UnwritableValueException barrierFails(Group g) {
        CompletableFuture<Checkpoint> barrier = g.barrier();
        ExecutionException e = assertThrows(ExecutionException.class, () -> barrier.get(30, TimeUnit.SECONDS));
        return assertInstanceOf(UnwritableValueException.class, e.getCause());
    }

    @Test
    void aValueOfAClassTheCodecsCannotWriteIsRejectedAtTheWriteNamingTheObject() throws Exception {
        try (Group g = durable("bank")) {
            TRef<Object> ref = g.newRef("owner", "alice");
            TMap<Object, Object> map = g.newMap("notes");
            Object bad = new Object();
            IllegalArgumentException set = assertThrows(IllegalArgumentException.class, () -> ref.set(bad));
            assertTrue(set.getMessage().contains("TRef 'owner'") && set.getMessage().contains("group 'bank'")
                    && set.getMessage().contains("java.lang.Object") && set.getMessage().contains("register"), set.getMessage());
            assertThrows(IllegalArgumentException.class, () -> g.atomic(() -> ref.set(bad)));
            assertThrows(IllegalArgumentException.class, () -> ref.getAndSet(bad));
            assertThrows(IllegalArgumentException.class, () -> ref.compareAndSet("alice", bad));
            assertThrows(IllegalArgumentException.class, () -> ref.updateAndGet(v -> bad));
            IllegalArgumentException key = assertThrows(IllegalArgumentException.class, () -> map.put(bad, "v"));
            assertTrue(key.getMessage().contains("TMap 'notes'") && key.getMessage().contains("key"), key.getMessage());
            assertThrows(IllegalArgumentException.class, () -> map.putIfAbsent("k", bad));
            IllegalArgumentException initial = assertThrows(IllegalArgumentException.class, () -> g.newRef("other", bad));
            assertTrue(initial.getMessage().contains("TRef 'other'"), initial.getMessage());
            assertThrows(java.util.NoSuchElementException.class, () -> g.ref("other")); // nothing was created

            TRef<Object> scratch = g.newRef("scratch", null); // an ephemeral object is never written: anything goes
            g.setPersistence("scratch", Persistence.EPHEMERAL);
            scratch.set(bad);

            ref.set("bob");
            map.put("k", "v");
            g.barrier().get(30, TimeUnit.SECONDS);
        }
        try (Group g = Group.open(Store.directory(dir))) {
            assertEquals("bob", g.ref("owner").get());
            assertEquals("v", g.map("notes").get("k"));
        }
    }

    @Test
    void aBadValueInsideAListOrRecordFailsOnlyItsCheckpointsAndDurabilityResumesOnceOverwritten() throws Exception {
        try (Group g = durable("bank")) {
            TRef<Object> ref = g.newRef("owner", "alice");
            TMap<String, Object> map = g.newMap("notes");
            TLong n = g.newLong("n", 0);
            g.barrier().get(30, TimeUnit.SECONDS);

            ref.set(List.of("fine", new Object())); // the class List is fine: only encoding sees the element
            UnwritableValueException first = barrierFails(g);
            assertEquals("owner", first.objectId());
            assertEquals("bank", first.groupName());
            assertTrue(first.getMessage().contains("TRef 'owner'") && first.getMessage().contains("checkpoint "
                    + first.checkpointId()), first.getMessage());

            n.set(1); // later good writes of other objects wait while the bad value stays, and fail with it
            UnwritableValueException again = barrierFails(g);
            assertTrue(again.checkpointId() > first.checkpointId());

            ref.set("bob"); // overwritten: durability resumes
            n.set(2);
            g.barrier().get(30, TimeUnit.SECONDS);

            map.put("k", new Box(new Object())); // a record's component: also found only when encoding
            UnwritableValueException entry = barrierFails(g);
            assertEquals("notes", entry.objectId());
            map.put("k", new Box("text"));
            n.set(3);
            g.barrier().get(30, TimeUnit.SECONDS);
            assertFalse(g.history().isEmpty());
        }
        try (Group g = durable("bank")) {
            assertEquals("bob", g.ref("owner").get());
            assertEquals(new Box("text"), g.map("notes").get("k"));
            assertEquals(3, g.longRef("n").get());
        }
    }

    @Test
    void rollingBackTheBadValueResumesDurabilityAndARestartRecoversTheLastGoodState() throws Exception {
        try (Group g = durable("bank")) {
            TRef<Object> ref = g.newRef("owner", "alice");
            TLong n = g.newLong("n", 1);
            Checkpoint good = g.barrier().get(30, TimeUnit.SECONDS);
            n.set(2);
            ref.set(List.of(new Object()));
            barrierFails(g);
            g.rollback(good);
            assertEquals(1, n.get());
            n.set(5);
            g.barrier().get(30, TimeUnit.SECONDS);
        }
        try (Group g = durable("bank")) {
            assertEquals("alice", g.ref("owner").get());
            assertEquals(5, g.longRef("n").get());
        }
    }

    @Test
    void aRollbackToAnUnflushedCheckpointBeforeTheBadValueIsWrittenAtClose() throws Exception {
        try (Group g = Group.builder("bank").store(Store.directory(dir)).checkpointEvery(Duration.ofHours(1)).open()) {
            TLong n = g.newLong("n", 1);
            TRef<Object> ref = g.newRef("owner", "alice");
            g.barrier().get(30, TimeUnit.SECONDS);
            n.set(2);
            Checkpoint before = g.checkpoint(); // not flushed: the period is an hour
            ref.set(List.of(new Object()));
            barrierFails(g); // fails the waiting checkpoints too, `before` among them
            g.rollback(before);
        } // the final flush writes the state the group holds: `before`'s, which has no bad value
        try (Group g = durable("bank")) {
            assertEquals(2, g.longRef("n").get());
            assertEquals("alice", g.ref("owner").get());
        }
    }

    @Test
    void aRestartAfterABadValueRecoversTheLastGoodDurableState() throws Exception {
        try (Group g = durable("bank")) {
            TRef<Object> ref = g.newRef("owner", "alice");
            ref.set("bob");
            g.barrier().get(30, TimeUnit.SECONDS);
            ref.set(List.of(new Object()));
            barrierFails(g);
        } // the last flush, at close, fails the same way: the store keeps "bob"
        try (Group g = durable("bank")) {
            assertEquals("bob", g.ref("owner").get());
            g.ref("owner").set("carol"); // and the reopened group is durable as usual
            g.barrier().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aValueTooLargeForARecordFailsItsCheckpointNotTheGroup() throws Exception {
        try (Group g = Group.builder("big").store(Store.memory()).checkpointEvery(Duration.ZERO).open()) {
            TRef<Object> ref = g.newRef("blob", null);
            ref.set(new byte[StoreLimits.MAX_RECORD_BYTES]); // a store could hold it, a default receive could not
            UnwritableValueException e = barrierFails(g);
            assertEquals("blob", e.objectId());
            assertTrue(e.getMessage().contains("at most"), e.getMessage());
            ref.set(new byte[StoreLimits.maxDataBytes(4) - 8]); // with the tag and length, just fits
            g.barrier().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void sendOfAnInMemoryGroupNamesTheObjectItCannotWrite() {
        try (Group g = Group.inMemory("mem")) {
            TRef<Object> ref = g.newRef("anything", new Object()); // an in-memory group holds any value
            UnwritableValueException e = assertThrows(UnwritableValueException.class,
                    () -> g.send(g.checkpoint(), new ByteArrayOutputStream()));
            assertEquals("anything", e.objectId());
            ref.set("text");
            g.send(g.checkpoint(), new ByteArrayOutputStream());
        }
    }
}
