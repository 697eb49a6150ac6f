package io.aurora4j.txn;

import io.aurora4j.notify.RollbackEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ARCHITECTURE.md invariant 4: after {@code rollback(cp)} every state object holds its value at {@code cp};
 * transactions in flight are aborted and re-run; objects created after {@code cp} and checkpoints taken after it are
 * discarded.
 */
class RollbackTest {

    @Test
    void restoresTLongTRefAndTMapIncludingKeysAddedAndRemovedAfterTheCheckpoint() {
        try (Group g = Group.inMemory("rollback")) {
            TLong x = g.newLong("x", 10);
            TRef<String> r = g.newRef("r", "at-cp");
            TRef<String> nullable = g.newRef("nullable", null);
            TMap<String, Integer> m = g.newMap("m");
            m.put("stays", 1);
            m.put("changes", 2);
            m.put("removed", 3);
            Checkpoint cp = g.checkpoint();

            g.atomic(() -> {
                x.set(11);
                r.set("later");
                nullable.set("not null");
                m.put("changes", 20);
                m.remove("removed");
                m.put("added", 4);
            });
            x.add(5);
            m.put("added-too", 5);
            m.remove("stays");
            assertEquals(Map.of("changes", 20, "added", 4, "added-too", 5), m.snapshot());

            g.rollback(cp);

            assertEquals(10, x.get());
            assertEquals("at-cp", r.get());
            assertNull(nullable.get());
            assertEquals(Map.of("stays", 1, "changes", 2, "removed", 3), m.snapshot());
            assertEquals(3, m.size());
            assertNull(m.get("added"));
            assertFalse(m.containsKey("added-too"));
            assertEquals(3, (int) m.get("removed"));
            // and inside a transaction as well
            g.atomic(() -> {
                assertEquals(10, x.get());
                assertEquals(3, m.size());
                assertEquals(Map.of("stays", 1, "changes", 2, "removed", 3), m.snapshot());
            });
        }
    }

    @Test
    void restoresValuesChangedAcrossSeveralLaterCheckpoints() {
        try (Group g = Group.inMemory("rollback")) {
            TLong x = g.newLong("x", 1);
            TLong y = g.newLong("y", 1);
            TLong untouched = g.newLong("untouched", 7);
            Checkpoint cp1 = g.checkpoint();
            x.set(2);
            g.checkpoint();
            x.set(3);
            y.set(3);
            g.checkpoint();
            x.set(4);
            RollbackEvent event = g.rollback(cp1);
            assertEquals(1, x.get());
            assertEquals(1, y.get());
            assertEquals(7, untouched.get());
            assertEquals(2, event.restoredObjects(), "x and y changed; untouched did not");
            assertEquals(2, event.discardedCheckpoints());
            assertSame(cp1, event.checkpoint());
            assertEquals(1, g.stats().rollbacks());
        }
    }

    @Test
    void discardsLaterCheckpoints() {
        try (Group g = Group.inMemory("rollback")) {
            TLong x = g.newLong("x", 1);
            Checkpoint cp1 = g.checkpoint("one");
            x.set(2);
            Checkpoint cp2 = g.checkpoint("two");
            CheckpointView earlierView = cp2.view();
            x.set(3);
            Checkpoint cp3 = g.checkpoint("three");
            assertEquals(List.of(cp1, cp2, cp3), g.history());

            g.rollback(cp1);

            assertEquals(List.of(cp1), g.history());
            assertTrue(cp1.isRetained());
            assertFalse(cp2.isRetained());
            assertFalse(cp3.isRetained());
            IllegalStateException e = assertThrows(IllegalStateException.class, cp2::view);
            assertTrue(e.getMessage().contains("#2"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> earlierView.get(x));
            assertThrows(IllegalStateException.class, () -> g.rollback(cp3));
            assertEquals(1, cp1.view().get(x));
            // ids are never reused after a rollback
            Checkpoint cp4 = g.checkpoint();
            assertEquals(4, cp4.id());
            assertEquals(List.of(cp1, cp4), g.history());
        }
    }

    @Test
    void discardsObjectsCreatedAfterTheCheckpoint() {
        try (Group g = Group.inMemory("rollback")) {
            TLong old = g.newLong("old", 1);
            Checkpoint cp = g.checkpoint();
            TLong x = g.newLong("x", 1);
            TRef<String> r = g.newRef("r", "v");
            TMap<String, String> m = g.newMap("m");
            m.put("k", "v");
            x.set(2);
            assertEquals(4, g.stats().objects());

            g.rollback(cp);

            assertEquals(1, g.stats().objects());
            assertEquals(1, old.get());
            List<Executable> uses = List.of(
                    x::get, () -> x.set(3), () -> x.add(1), () -> x.compareAndSet(2, 3), () -> x.getAndSet(1),
                    () -> x.updateAndGet(v -> v + 1),
                    r::get, () -> r.set("w"), () -> r.getAndSet("w"), () -> r.compareAndSet("v", "w"),
                    () -> m.get("k"), () -> m.put("k", "w"), () -> m.remove("k"), m::size, m::snapshot,
                    () -> m.putIfAbsent("z", "z"), () -> m.forEach((k, v) -> { }),
                    () -> g.atomic(() -> x.get()), () -> g.atomic(() -> x.set(5)), () -> g.atomic(() -> r.get()),
                    () -> g.atomic(() -> m.get("k")), () -> g.atomic(() -> m.put("q", "q")));
            for (int i = 0; i < uses.size(); i++) {
                IllegalStateException e = assertThrows(IllegalStateException.class, uses.get(i), "use #" + i + " of a discarded object");
                assertTrue(e.getMessage().contains("discarded"), "use #" + i + ": " + e.getMessage());
            }
            assertThrows(NoSuchElementException.class, () -> g.longRef("x"));
            assertThrows(NoSuchElementException.class, () -> g.ref("r"));
            assertThrows(NoSuchElementException.class, () -> g.map("m"));
            assertSame(old, g.longRef("old"));
            // a failed use left no lock behind: the group still works
            old.add(1);
            assertEquals(2, old.get());
        }
    }

    @Test
    void rollingBackToTheSameCheckpointTwice() {
        try (Group g = Group.inMemory("rollback")) {
            TLong x = g.newLong("x", 1);
            TMap<Integer, Integer> m = g.newMap("m");
            Checkpoint cp = g.checkpoint();
            x.set(2);
            m.put(1, 1);
            g.rollback(cp);
            assertEquals(1, x.get());
            x.set(3);
            m.put(2, 2);
            g.rollback(cp);
            assertEquals(1, x.get());
            assertTrue(m.isEmpty());
            assertTrue(cp.isRetained());
            g.rollback(cp); // nothing changed: still fine
            assertEquals(1, x.get());
            assertEquals(3, g.stats().rollbacks());
        }
    }

    @Test
    void rollingBackToAnOlderCheckpointAfterANewerOne() {
        try (Group g = Group.inMemory("rollback")) {
            TLong x = g.newLong("x", 1);
            TRef<String> r = g.newRef("r", "one");
            Checkpoint cp1 = g.checkpoint();
            x.set(2);
            r.set("two");
            Checkpoint cp2 = g.checkpoint();
            x.set(3);
            r.set("three");
            g.rollback(cp2);
            assertEquals(2, x.get());
            assertEquals("two", r.get());
            x.set(4);
            g.rollback(cp1);
            assertEquals(1, x.get());
            assertEquals("one", r.get());
            assertFalse(cp2.isRetained());
            assertThrows(IllegalStateException.class, () -> g.rollback(cp2));
        }
    }

    @Test
    void viewsOfOlderCheckpointsStayCorrectAcrossRollbacks() {
        try (Group g = Group.inMemory("rollback")) {
            TLong x = g.newLong("x", 1);
            Checkpoint cp1 = g.checkpoint();
            x.set(2);
            Checkpoint cp2 = g.checkpoint();
            x.set(3);
            g.checkpoint();
            x.set(4);
            g.rollback(cp2);
            assertEquals(1, cp1.view().get(x));
            assertEquals(2, cp2.view().get(x));
            x.set(5);
            Checkpoint cp5 = g.checkpoint();
            x.set(6);
            assertEquals(1, cp1.view().get(x));
            assertEquals(2, cp2.view().get(x));
            assertEquals(5, cp5.view().get(x));
            g.rollback(cp1);
            assertEquals(1, cp1.view().get(x));
            assertEquals(1, x.get());
        }
    }

    @Test
    void rollingBackToTheOldestRetainedCheckpointAfterOthersLeftRetention() {
        try (Group g = Group.builder("rollback").retainCheckpoints(3).maintenanceExecutor(Runnable::run).open()) {
            TLong x = g.newLong("x", 0);
            List<Checkpoint> cps = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                x.set(i);
                cps.add(g.checkpoint());
            }
            x.set(100);
            Checkpoint oldestRetained = cps.get(3);
            assertEquals(List.of(cps.get(3), cps.get(4), cps.get(5)), g.history());
            g.rollback(oldestRetained);
            assertEquals(4, x.get());
            assertThrows(IllegalStateException.class, () -> g.rollback(cps.get(2)), "left retention");
        }
    }

    /**
     * A transaction that read state before a rollback and commits after it must not commit: it re-runs
     * against the restored state.
     */
    @Test
    void aTransactionInFlightDuringARollbackIsReRunAgainstTheRestoredState() throws Exception {
        try (Group g = Group.inMemory("rollback")) {
            TLong x = g.newLong("x", 10);
            Checkpoint cp = g.checkpoint();
            x.set(20);
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch inBody = new CountDownLatch(1);
            CountDownLatch rolledBack = new CountDownLatch(1);
            Future<Long> inFlight = Concurrently.start("in-flight", () -> g.atomic(() -> {
                long v = x.get();
                if (runs.incrementAndGet() == 1) {
                    assertEquals(20, v);
                    inBody.countDown();
                    Concurrently.await(rolledBack);
                }
                x.set(v + 1);
                return v + 1;
            }));
            Concurrently.await(inBody);
            g.rollback(cp);
            rolledBack.countDown();
            assertEquals(11L, Concurrently.join(inFlight));
            assertEquals(2, runs.get());
            assertEquals(11, x.get());
        }
    }

    @Test
    void aReadOnlyTransactionInFlightNeverSeesAMixOfBeforeAndAfterTheRollback() throws Exception {
        try (Group g = Group.inMemory("rollback")) {
            TLong x = g.newLong("x", 10);
            TLong y = g.newLong("y", 10);
            Checkpoint cp = g.checkpoint();
            g.atomic(() -> {
                x.set(20);
                y.set(20);
            });
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch inBody = new CountDownLatch(1);
            CountDownLatch rolledBack = new CountDownLatch(1);
            Future<long[]> inFlight = Concurrently.start("in-flight", () -> g.atomic(() -> {
                long vx = x.get();
                if (runs.incrementAndGet() == 1) {
                    inBody.countDown();
                    Concurrently.await(rolledBack);
                }
                long vy = y.get();
                if (vx != vy) {
                    throw new AssertionError("read x = " + vx + " before the rollback and y = " + vy + " after it");
                }
                return new long[] {vx, vy};
            }));
            Concurrently.await(inBody);
            g.rollback(cp);
            rolledBack.countDown();
            assertArrayEquals(new long[] {10, 10}, Concurrently.join(inFlight));
            assertEquals(2, runs.get());
        }
    }

    @Test
    void aTransactionThatReadOnlyUnchangedObjectsBeforeTheRollbackIsStillReRun() throws Exception {
        try (Group g = Group.inMemory("rollback")) {
            TLong unchanged = g.newLong("unchanged", 5);
            TLong x = g.newLong("x", 10);
            Checkpoint cp = g.checkpoint();
            x.set(20);
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch inBody = new CountDownLatch(1);
            CountDownLatch rolledBack = new CountDownLatch(1);
            // The body decided on x's pre-rollback value (read before the rollback) and writes it elsewhere.
            Future<Void> inFlight = Concurrently.start("in-flight", i -> g.atomic(() -> {
                long seenX = x.get();
                if (runs.incrementAndGet() == 1) {
                    inBody.countDown();
                    Concurrently.await(rolledBack);
                }
                unchanged.set(seenX);
            }));
            Concurrently.await(inBody);
            g.rollback(cp);
            rolledBack.countDown();
            Concurrently.join(inFlight);
            assertEquals(2, runs.get());
            assertEquals(10, unchanged.get(), "a transaction committed a value it read before the rollback");
        }
    }

    /**
     * Workers transfer among accounts and count their own commits in a per-worker counter (same
     * transaction) while the main thread rolls back to one checkpoint three times. Checkable: the sum is
     * conserved at every read; each worker's counter moves +1 per commit except exactly once per rollback,
     * when it restarts at its checkpoint value + 1 (a commit based on pre-rollback reads would continue the
     * old sequence instead); and once the workers stop, a last rollback restores every value exactly.
     */
    @Test
    void rollbacksWhileOtherThreadsRunTransfers() throws Exception {
        int accounts = 8;
        int workers = 2;
        int rollbacks = 3;
        try (Group g = Group.inMemory("bank")) {
            TLong[] acc = new TLong[accounts];
            for (int i = 0; i < accounts; i++) {
                acc[i] = g.newLong("acc" + i, 100);
            }
            TLong[] counter = new TLong[workers];
            AtomicLong[] commits = new AtomicLong[workers];
            List<List<Long>> sequences = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                counter[w] = g.newLong("counter" + w, 0);
                commits[w] = new AtomicLong();
                sequences.add(new ArrayList<>());
            }
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<Void>> threads = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int me = w;
                threads.add(Concurrently.start("transfers-" + w, i -> {
                    SplittableRandom rnd = new SplittableRandom(me);
                    while (!stop.get()) {
                        int from = rnd.nextInt(accounts);
                        int to = rnd.nextInt(accounts);
                        long amount = rnd.nextInt(10);
                        long c = g.atomic(() -> {
                            acc[from].add(-amount);
                            acc[to].add(amount);
                            return counter[me].add(1);
                        });
                        sequences.get(me).add(c);
                        commits[me].incrementAndGet();
                    }
                }));
            }
            threads.add(Concurrently.start("sums", i -> {
                while (!stop.get()) {
                    long sum = g.atomic(() -> {
                        long s = 0;
                        for (TLong a : acc) {
                            s += a.get();
                        }
                        return s;
                    });
                    assertEquals(accounts * 100L, sum, "torn sum during rollbacks");
                }
            }));
            try {
                awaitCommits(commits, 100);
                Checkpoint cp = g.checkpoint();
                long[] atCp = new long[workers];
                long[] accAtCp = new long[accounts];
                for (int w = 0; w < workers; w++) {
                    atCp[w] = cp.view().get(counter[w]);
                }
                for (int i = 0; i < accounts; i++) {
                    accAtCp[i] = cp.view().get(acc[i]);
                }
                for (int n = 0; n < rollbacks; n++) {
                    // At most one commit per worker can have returned from before the previous rollback;
                    // three more mean each worker has gone at least two past its checkpoint value.
                    awaitCommits(commits, 3);
                    g.rollback(cp);
                }
                awaitCommits(commits, 3);
                stop.set(true);
                Concurrently.joinAll(threads);

                for (int w = 0; w < workers; w++) {
                    List<Long> seq = sequences.get(w);
                    int restarts = 0;
                    for (int k = 1; k < seq.size(); k++) {
                        long prev = seq.get(k - 1);
                        long cur = seq.get(k);
                        if (cur == prev + 1) {
                            continue;
                        }
                        assertEquals(atCp[w] + 1, cur, "worker " + w + " committed " + cur + " after " + prev
                                + ": neither the next value nor a restart from the checkpoint");
                        restarts++;
                    }
                    assertEquals(rollbacks, restarts, "worker " + w + " restarted its sequence a wrong number of times");
                }
                g.rollback(cp);
                long sum = 0;
                for (int i = 0; i < accounts; i++) {
                    assertEquals(accAtCp[i], acc[i].get(), "account " + i + " after the last rollback");
                    sum += acc[i].get();
                }
                assertEquals(accounts * 100L, sum);
                for (int w = 0; w < workers; w++) {
                    assertEquals(atCp[w], counter[w].get());
                }
            } finally {
                stop.set(true);
            }
        }
    }

    private static void awaitCommits(AtomicLong[] commits, int more) {
        long[] target = new long[commits.length];
        for (int w = 0; w < commits.length; w++) {
            target[w] = commits[w].get() + more;
        }
        for (int w = 0; w < commits.length; w++) {
            int worker = w;
            Concurrently.awaitCondition("worker " + w + " commits " + more + " more transfers",
                    () -> commits[worker].get() >= target[worker]);
        }
    }

    @Test
    void rollbackInsideATransactionIsRefused() {
        try (Group g = Group.inMemory("rollback")) {
            TLong x = g.newLong("x", 1);
            Checkpoint cp = g.checkpoint();
            x.set(2);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.atomic(() -> {
                x.set(3);
                g.rollback(cp);
            }));
            assertTrue(e.getMessage().contains("rollback") && e.getMessage().contains("'rollback'"), e.getMessage());
            assertEquals(2, x.get(), "neither the transaction nor the rollback took effect");
            assertTrue(cp.isRetained());
        }
    }

    @Test
    void rollbackToACheckpointOfAnotherGroupIsRefused() {
        try (Group g = Group.inMemory("mine"); Group other = Group.inMemory("other")) {
            TLong x = g.newLong("x", 1);
            Checkpoint foreign = other.checkpoint();
            x.set(2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.rollback(foreign));
            assertTrue(e.getMessage().contains("'mine'") && e.getMessage().contains("'other'"), e.getMessage());
            assertEquals(2, x.get());
        }
    }

    @Test
    void rollbackToADiscardedCheckpointIsRefused() {
        try (Group g = Group.builder("rollback").retainCheckpoints(1).maintenanceExecutor(Runnable::run).open()) {
            TLong x = g.newLong("x", 1);
            Checkpoint first = g.checkpoint();
            x.set(2);
            g.checkpoint(); // first leaves retention
            x.set(3);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.rollback(first));
            assertTrue(e.getMessage().contains("#1") && e.getMessage().contains("no longer retained"), e.getMessage());
            assertEquals(3, x.get());
            assertEquals(0, g.stats().rollbacks());
        }
    }
}
