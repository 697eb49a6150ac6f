package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A read followed by the first write of the same object (read-modify-write) leaves the read set: the commit's lock
 * of that object validates it (Txn.moveReadToWrite). These tests hold every other place that must still see such a
 * read: the commit, a snapshot extension, a nested transaction that fails and takes the write with it, and retry().
 */
class ReadBeforeWriteTest {

    @Test
    void aReadModifyWriteWhoseObjectChangedBeforeTheCommitRunsAgain() throws Exception {
        try (Group g = Group.inMemory("rmw")) {
            TLong x = g.newLong("x", 0);
            AtomicInteger runs = new AtomicInteger();
            g.atomic(() -> {
                long v = x.get();
                x.set(v + 1);
                if (runs.incrementAndGet() == 1) {
                    Concurrently.onOtherThread(() -> x.set(100)); // commits between our read and our commit
                }
            });
            assertEquals(2, runs.get());
            assertEquals(101, x.get()); // not 1: the first attempt's update, built on 0, was not committed
        }
    }

    /**
     * The nested body reads nothing new, but the read of {@code x} it turned into a write goes with the write when the
     * nested body fails: it must go back to the read set, or the outer body could later extend its snapshot without
     * validating {@code x} and see {@code x} and {@code z} from two different commits.
     */
    @Test
    void aReadWhoseWriteAFailedNestedTransactionUndidIsStillValidated() throws Exception {
        try (Group g = Group.inMemory("rmw-nested")) {
            TLong x = g.newLong("x", 0);
            TLong z = g.newLong("z", 0);  // every commit keeps z == x
            List<String> seen = new ArrayList<>();
            AtomicInteger runs = new AtomicInteger();
            g.atomic(() -> {
                long vx = x.get();
                assertThrows(IllegalStateException.class, () -> g.atomic(() -> {
                    x.set(vx + 1);            // the read of x moves onto this write...
                    throw new IllegalStateException("nested body fails"); // ...which is undone here
                }));
                if (runs.incrementAndGet() == 1) {
                    Concurrently.onOtherThread(() -> g.atomic(() -> {
                        x.set(5);
                        z.set(5);
                    }));
                }
                long vz = z.get();            // newer than the snapshot: the snapshot extends, validating x
                seen.add(vx + "/" + vz);
            });
            // the first attempt read x = 0 and must abort when its snapshot extends; a mix such as "0/5" is the break
            assertEquals(List.of("5/5"), seen);
            assertEquals(2, runs.get());
        }
    }

    /** A transaction that read an object, wrote it and then called retry() waits for that object and wakes on its change. */
    @Test
    void retryAfterAReadModifyWriteWaitsForThatObject() throws Exception {
        try (Group g = Group.inMemory("rmw-retry")) {
            TLong x = g.newLong("x", 0);
            Future<Long> waiter = Concurrently.start("waiter", () -> g.atomic(() -> {
                long v = x.get();
                x.set(v + 10);
                if (v == 0) {
                    g.retry();
                }
                return v;
            }));
            Concurrently.awaitCondition("the waiter parks in retry()", () -> g.retryWaiters.waiters() == 1);
            x.set(1);
            assertEquals(1L, waiter.get(Concurrently.DEADLINE.toSeconds(), TimeUnit.SECONDS));
            assertEquals(11, x.get());
        }
    }

    @Test
    void aRetryTimeoutNamesAnObjectThatWasReadThenWritten() {
        try (Group g = Group.inMemory("rmw-timeout")) {
            TLong x = g.newLong("x", 0);
            RetryTimeoutException e = assertThrows(RetryTimeoutException.class, () -> g.atomic(Duration.ofMillis(20), () -> {
                x.set(x.get() + 1);
                g.retry();
            }));
            assertEquals(List.of("TLong 'x'"), e.waitedOn());
            assertEquals(0, x.get());
        }
    }
}
