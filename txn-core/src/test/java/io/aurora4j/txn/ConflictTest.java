package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conflicts: a conflicting attempt is re-run, a transaction gives up after the retry limit with an
 * exception naming what it contended on, and transactions that touch different map keys never conflict.
 */
class ConflictTest {

    @Test
    void anAttemptThatReadAValueAnotherThreadThenChangedIsReRun() {
        try (Group g = Group.inMemory("conflict")) {
            TLong x = g.newLong("x", 1);
            TLong y = g.newLong("y", 0);
            AtomicInteger runs = new AtomicInteger();
            AtomicInteger commits = new AtomicInteger();
            g.atomic(() -> {
                long v = x.get();
                if (runs.incrementAndGet() == 1) {
                    Concurrently.onOtherThread(() -> x.set(10)); // commits between our read and our commit
                }
                y.set(v + 1);
                g.afterCommit(commits::incrementAndGet);
            });
            assertEquals(2, runs.get());
            assertEquals(1, commits.get());
            assertEquals(11, y.get(), "the committed attempt read the other thread's value");
        }
    }

    @Test
    void givesUpAfterMaxRetriesNamingTheContendedObject() {
        try (Group g = Group.builder("conflict").maxRetries(3).open()) {
            TLong x = g.newLong("x", 0);
            TLong y = g.newLong("y", 0);
            AtomicInteger runs = new AtomicInteger();
            TransactionConflictException e = assertThrows(TransactionConflictException.class, () -> g.atomic(() -> {
                runs.incrementAndGet();
                long v = x.get();
                Concurrently.onOtherThread(() -> x.add(1)); // every attempt conflicts
                y.set(v);
            }));
            assertEquals(3, runs.get());
            assertEquals(3, e.attempts());
            assertTrue(e.contended().contains("TLong 'x'"), e.contended().toString());
            assertEquals("conflict", e.groupName());
            assertTrue(e.getMessage().contains("'conflict'") && e.getMessage().contains("TLong 'x'") && e.getMessage().contains("3"), e.getMessage());
            assertEquals(0, y.get(), "a transaction that gave up left no trace");
            assertEquals(3, x.get());
            assertFalse(g.inTransaction());
        }
    }

    @Test
    void theConflictExceptionNamesAContendedMapKey() {
        try (Group g = Group.builder("conflict").maxRetries(2).open()) {
            TMap<String, Integer> m = g.newMap("accounts");
            m.put("alice", 1);
            TLong out = g.newLong("out", 0);
            TransactionConflictException e = assertThrows(TransactionConflictException.class, () -> g.atomic(() -> {
                int v = m.get("alice");
                Concurrently.onOtherThread(() -> m.put("alice", v + 1));
                out.set(v);
            }));
            assertEquals(2, e.attempts());
            assertTrue(e.contended().contains("TMap 'accounts' key 'alice'"), e.contended().toString());
        }
    }

    @Test
    void aBodyThatSwallowsTheConflictCannotCommitAndIsReRun() {
        try (Group g = Group.inMemory("conflict")) {
            TLong x = g.newLong("x", 0);
            TLong y = g.newLong("y", 0);
            TLong out = g.newLong("out", -1);
            AtomicInteger runs = new AtomicInteger();
            g.atomic(() -> {
                int run = runs.incrementAndGet();
                long vx = x.get();
                long vy = -1;
                if (run == 1) {
                    Concurrently.onOtherThread(() -> g.atomic(() -> {
                        x.set(1);
                        y.set(1);
                    }));
                }
                try {
                    vy = y.get(); // first attempt: inconsistent with vx, so the attempt aborts here
                } catch (RuntimeException swallowed) {
                    // a careless body
                }
                out.set(vx * 10 + vy);
            });
            assertEquals(2, runs.get());
            assertEquals(11, out.get());
        }
    }

    /** Runs {@code bodies} on two threads, both in flight at once (their first attempts meet at a barrier before committing). */
    private static int[] runBothInFlight(Group g, IntFunction<Runnable> bodies) throws Exception {
        CyclicBarrier bothWritten = new CyclicBarrier(2);
        AtomicInteger[] runs = {new AtomicInteger(), new AtomicInteger()};
        Concurrently.run(2, t -> {
            Runnable body = bodies.apply(t);
            g.atomic(() -> {
                int run = runs[t].incrementAndGet();
                body.run();
                if (run == 1) {
                    Concurrently.await(bothWritten);
                }
            });
        });
        return new int[] {runs[0].get(), runs[1].get()};
    }

    @Test
    void updatesOfDifferentExistingMapKeysFromTwoThreadsNeverConflict() throws Exception {
        try (Group g = Group.inMemory("conflict")) {
            TMap<String, Integer> m = g.newMap("m");
            m.put("a", 0);
            m.put("b", 0);
            for (int round = 1; round <= 20; round++) {
                int[] runs = runBothInFlight(g, t -> () -> {
                    String key = t == 0 ? "a" : "b";
                    m.put(key, m.get(key) + 1);
                });
                assertEquals(List.of(1, 1), List.of(runs[0], runs[1]), "round " + round + ": a body re-ran although the keys differ");
                assertEquals(round, m.get("a"));
                assertEquals(round, m.get("b"));
            }
        }
    }

    @Test
    void insertsAndRemovalsOfDifferentKeysFromTwoThreadsDoNotConflict() throws Exception {
        try (Group g = Group.inMemory("conflict")) {
            TMap<String, Integer> m = g.newMap("m");
            int[] inserted = runBothInFlight(g, t -> () -> m.put("new" + t, t));
            assertEquals(List.of(1, 1), List.of(inserted[0], inserted[1]), "inserting different new keys conflicted");
            int[] removed = runBothInFlight(g, t -> () -> m.remove("new" + t));
            assertEquals(List.of(1, 1), List.of(removed[0], removed[1]), "removing different keys conflicted");
            assertTrue(m.isEmpty());
            m.put("old", 1);
            int[] mixed = runBothInFlight(g, t -> () -> {
                if (t == 0) {
                    m.put("fresh", 2);
                } else {
                    m.remove("old");
                }
            });
            assertEquals(List.of(1, 1), List.of(mixed[0], mixed[1]), "an insert and a removal of different keys conflicted");
            assertEquals(java.util.Map.of("fresh", 2), m.snapshot());
            assertEquals(1, m.size());
        }
    }

    /** The control for the tests above: the same scenario on one key does conflict, and nothing is lost. */
    @Test
    void updatesOfTheSameKeyFromTwoThreadsConflictAndBothApply() throws Exception {
        try (Group g = Group.inMemory("conflict")) {
            TMap<String, Integer> m = g.newMap("m");
            m.put("a", 0);
            int[] runs = runBothInFlight(g, t -> () -> m.put("a", m.get("a") + 1));
            assertTrue(runs[0] + runs[1] >= 3, "one of the two must have re-run");
            assertEquals(2, m.get("a"));
        }
    }

    @Test
    void singleOperationsOutsideAScopeRetryAndLoseNothing() throws Exception {
        try (Group g = Group.inMemory("conflict")) {
            TLong x = g.newLong("x", 0);
            TLong casCount = g.newLong("cas", 0);
            TRef<Integer> r = g.newRef("r", 0);
            TMap<Integer, Integer> m = g.newMap("m");
            Concurrently.run(3, t -> {
                for (int n = 0; n < 3_000; n++) {
                    x.add(1);
                    r.updateAndGet(v -> v + 1);
                    m.put(t * 10_000 + n, n);
                    long v;
                    do {
                        v = casCount.get();
                    } while (!casCount.compareAndSet(v, v + 1));
                }
            });
            assertEquals(9_000, x.get());
            assertEquals(9_000, r.get());
            assertEquals(9_000, casCount.get());
            assertEquals(9_000, m.size());
        }
    }
}
