package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * ARCHITECTURE.md invariant 3: a checkpoint contains every write of every transaction that committed before it and none
 * of any that committed after it, and what it contains is a consistent state (a prefix of the
 * serialization order), whatever runs concurrently.
 */
class ConsistentCutTest {

    @Test
    void aCommitBeforeCheckpointIsInItAndOneAfterIsNot() {
        try (Group g = Group.inMemory("cut")) {
            TLong x = g.newLong("x", 0);
            TRef<String> r = g.newRef("r", "a");
            TMap<String, Integer> m = g.newMap("m");

            g.atomic(() -> {
                x.set(1);
                r.set("b");
                m.put("one", 1);
            });
            Checkpoint cp1 = g.checkpoint();
            g.atomic(() -> {
                x.set(2);
                r.set("c");
                m.put("two", 2);
                m.remove("one");
            });
            Checkpoint cp2 = g.checkpoint();
            x.set(3); // after cp2: in neither

            assertEquals(1, cp1.view().get(x));
            assertEquals("b", cp1.view().get(r));
            assertEquals(java.util.Map.of("one", 1), cp1.view().snapshot(m));
            assertEquals(2, cp2.view().get(x));
            assertEquals("c", cp2.view().get(r));
            assertEquals(java.util.Map.of("two", 2), cp2.view().snapshot(m));
            assertEquals(3, x.get());
        }
    }

    @Test
    void aCheckpointTakenInsideATransactionExcludesThatTransactionsWrites() {
        try (Group g = Group.inMemory("cut")) {
            TLong x = g.newLong("x", 1);
            Checkpoint cp = g.atomic(() -> {
                x.set(2);
                return g.checkpoint("inside");
            });
            assertEquals(1, cp.view().get(x));
            assertEquals(2, x.get());
        }
    }

    @Test
    void everyCheckpointTakenDuringConcurrentTransfersConservesTheSum() throws Exception {
        int accounts = 16;
        try (Group g = Group.builder("bank").retainCheckpoints(100_000).open()) {
            TLong[] acc = new TLong[accounts];
            for (int i = 0; i < accounts; i++) {
                acc[i] = g.newLong("acc" + i, 100);
            }
            TMap<Integer, Long> book = g.newMap("book"); // keyed balances, written in the same transactions
            for (int i = 0; i < accounts; i++) {
                book.put(i, 100L);
            }
            AtomicBoolean done = new AtomicBoolean();
            CountDownLatch checking = new CountDownLatch(1);
            List<Future<Void>> workers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                workers.add(Concurrently.start("transfers-" + w, i -> {
                    SplittableRandom rnd = new SplittableRandom(i);
                    try {
                        Concurrently.await(checking);
                        for (int n = 0; n < 10_000; n++) {
                            int from = rnd.nextInt(accounts);
                            int to = rnd.nextInt(accounts);
                            long amount = rnd.nextInt(20);
                            g.atomic(() -> {
                                acc[from].add(-amount);
                                acc[to].add(amount);
                                book.put(from, book.get(from) - amount);
                                book.put(to, book.get(to) + amount);
                            });
                        }
                    } finally {
                        done.set(true);
                    }
                }));
            }
            List<Checkpoint> cps = new ArrayList<>();
            while (!done.get() || cps.isEmpty()) {
                Checkpoint cp = g.checkpoint();
                cps.add(cp);
                assertCutConserves(cp, acc, book);
                checking.countDown();
            }
            Concurrently.joinAll(workers);
            for (Checkpoint cp : cps) { // again, now that many later epochs have been logged
                assertCutConserves(cp, acc, book);
            }
        }
    }

    private static void assertCutConserves(Checkpoint cp, TLong[] acc, TMap<Integer, Long> book) {
        CheckpointView v = cp.view();
        long sum = 0;
        long bookSum = 0;
        for (int i = 0; i < acc.length; i++) {
            sum += v.get(acc[i]);
            bookSum += v.get(book, i);
        }
        assertEquals(acc.length * 100L, sum, cp + " is a torn cut of the accounts");
        assertEquals(acc.length * 100L, bookSum, cp + " is a torn cut of the map");
        assertEquals(acc.length, v.size(book));
        long snapSum = v.snapshot(book).values().stream().mapToLong(Long::longValue).sum();
        assertEquals(acc.length * 100L, snapSum, cp + " has a torn map snapshot");
    }

    /**
     * With commits running on other threads: every commit that returned before {@code checkpoint()} was
     * called is in the checkpoint, and none that started after it returned.
     */
    @Test
    void commitsThatReturnedBeforeTheCallAreInAndCommitsStartedAfterItReturnedAreOut() throws Exception {
        int threads = 2;
        try (Group g = Group.builder("cut").retainCheckpoints(100_000).open()) {
            TLong[] counters = new TLong[threads];
            AtomicLong[] started = new AtomicLong[threads];
            AtomicLong[] returned = new AtomicLong[threads];
            for (int t = 0; t < threads; t++) {
                counters[t] = g.newLong("c" + t, 0);
                started[t] = new AtomicLong();
                returned[t] = new AtomicLong();
            }
            AtomicBoolean done = new AtomicBoolean();
            CountDownLatch checking = new CountDownLatch(1);
            List<Future<Void>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                workers.add(Concurrently.start("counter-" + t, i -> {
                    try {
                        Concurrently.await(checking);
                        for (long n = 1; n <= 20_000; n++) {
                            started[me].set(n); // before the transaction that makes the counter n starts
                            g.atomic(() -> {
                                counters[me].add(1);
                            });
                            returned[me].set(n);
                        }
                    } finally {
                        done.set(true);
                    }
                }));
            }
            while (!done.get()) {
                long[] before = new long[threads];
                for (int t = 0; t < threads; t++) {
                    before[t] = returned[t].get();
                }
                Checkpoint cp = g.checkpoint();
                long[] after = new long[threads];
                for (int t = 0; t < threads; t++) {
                    after[t] = started[t].get();
                }
                CheckpointView v = cp.view();
                for (int t = 0; t < threads; t++) {
                    long seen = v.get(counters[t]);
                    assertTrue(seen >= before[t], cp + " lacks a commit that returned before it was taken: " + seen + " < " + before[t]);
                    assertTrue(seen <= after[t], cp + " holds a commit that started after it returned: " + seen + " > " + after[t]);
                }
                checking.countDown();
            }
            Concurrently.joinAll(workers);
        }
    }

    /**
     * A cut must respect read-write anti-dependencies too, not only "saw the writes of": if T1 read y
     * before T2 overwrote it, T1 is serialized before T2, so a checkpoint that contains T2 must contain T1.
     *
     * <p>T1 (thread "reader-writer") reads y, then many other objects (so that validating its reads at
     * commit takes a while), then writes x = its number. T2 (the checkpointer) waits until T1 holds x's
     * lock, i.e. T1 is committing, increments y and takes a checkpoint. T1 validated y before T2 locked it
     * (otherwise T1 would have re-run), so T1 precedes T2; the checkpoint contains T2's y. If it lacks T1's
     * x, the cut is not a prefix of any serial order: an auditor reading the checkpoint sees y's increment
     * without the transaction that read y's older value and was serialized first.
     *
     * <p>Detection depends on the two threads running at the same time, so on a loaded machine a run may
     * catch fewer windows; it never reports a violation that did not happen.
     */
    @Test
    void aCheckpointThatHoldsAWriteHoldsEveryTransactionSerializedBeforeIt() throws Exception {
        try (Group g = Group.builder("cut").retainCheckpoints(100_000).open()) {
            TLong x = g.newLong("x", 0);
            TLong y = g.newLong("y", 0);
            TLong z = g.newLong("z", 0);
            TLong[] pad = new TLong[20_000];
            for (int i = 0; i < pad.length; i++) {
                pad[i] = g.newLong("pad" + i, 0);
            }
            int maxTxns = 1_500;
            int wantedCuts = 40;
            long[] seenY = new long[maxTxns + 2]; // seenY[k]: the y that T1 number k read
            AtomicBoolean stop = new AtomicBoolean();
            List<Checkpoint> cps = new ArrayList<>();
            Future<Void> t1 = Concurrently.start("reader-writer", i -> {
                try {
                    for (int k = 1; k <= maxTxns && !stop.get(); k++) {
                        int number = k;
                        seenY[k] = g.atomic(() -> {
                            long ys = y.get();
                            for (TLong p : pad) {
                                p.get();
                            }
                            x.set(number);
                            return ys;
                        });
                    }
                } finally {
                    stop.set(true);
                }
            });
            Future<Void> t2 = Concurrently.start("checkpointer", i -> {
                while (!stop.get()) {
                    // Commit z meanwhile so the clock moves and T1's commit must validate its reads.
                    while ((x.lvMeta() & VBox.LOCKED) == 0 && !stop.get()) {
                        z.add(1);
                    }
                    if (stop.get()) {
                        return;
                    }
                    y.add(1);
                    cps.add(g.checkpoint());
                    if (cps.size() >= wantedCuts) {
                        stop.set(true);
                    }
                    while ((x.lvMeta() & VBox.LOCKED) != 0 && !stop.get()) {
                        Thread.onSpinWait();
                    }
                }
            });
            Concurrently.joinAll(List.of(t1, t2));
            int lastCommitted = (int) x.get();
            List<String> violations = new ArrayList<>();
            for (Checkpoint cp : cps) {
                long cutX = cp.view().get(x);
                long cutY = cp.view().get(y);
                int next = (int) cutX + 1; // the first T1 the cut lacks
                if (next <= lastCommitted && seenY[next] < cutY) {
                    violations.add(cp + ": x = " + cutX + ", y = " + cutY + ", but T1 #" + next
                            + " (not in the cut) read y = " + seenY[next] + ", before the increment to " + (seenY[next] + 1) + " that is in the cut");
                }
            }
            if (!violations.isEmpty()) {
                fail(violations.size() + " of " + cps.size() + " checkpoints are not a prefix of the serialization order, e.g. "
                        + violations.get(0));
            }
        }
    }
}
