package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ARCHITECTURE.md invariant 2: transactions are serializable, and a running transaction never observes an inconsistent
 * snapshot (opacity). The opacity tests check the invariant inside the running body, on every read: a torn
 * read throws an {@link AssertionError} from the body, which {@code atomic} propagates.
 */
class IsolationTest {

    @Test
    void runningBodiesNeverSeeABrokenInvariantBetweenTwoValues() throws Exception {
        try (Group g = Group.inMemory("opacity")) {
            TLong a = g.newLong("a", 0);
            TLong b = g.newLong("b", 0);
            AtomicBoolean done = new AtomicBoolean();
            CountDownLatch readersChecking = new CountDownLatch(2); // writes start once both readers run
            List<Future<Void>> all = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                all.add(Concurrently.start("writer-" + w, i -> {
                    try {
                        Concurrently.await(readersChecking);
                        for (int n = 0; n < 10_000; n++) {
                            g.atomic(() -> {
                                long va = a.get();
                                long vb = b.get();
                                if (va != -vb) {
                                    throw new AssertionError("writer saw a = " + va + ", b = " + vb);
                                }
                                a.set(va + 1);
                                b.set(-(va + 1));
                            });
                        }
                    } finally {
                        done.set(true);
                    }
                }));
            }
            for (int r = 0; r < 2; r++) {
                all.add(Concurrently.start("reader-" + r, i -> {
                    while (!done.get()) {
                        g.atomic(() -> {
                            long vb = b.get(); // read in the opposite order from the writers
                            long va = a.get();
                            if (va != -vb) {
                                throw new AssertionError("reader saw a = " + va + ", b = " + vb);
                            }
                        });
                        readersChecking.countDown();
                    }
                }));
            }
            Concurrently.joinAll(all);
            assertEquals(20_000, a.get());
            assertEquals(-20_000, b.get());
        }
    }

    @Test
    void runningBodiesNeverSeeAMixOfOldAndNewInAListOfEqualValues() throws Exception {
        int size = 8;
        try (Group g = Group.inMemory("opacity")) {
            TLong[] xs = new TLong[size];
            for (int i = 0; i < size; i++) {
                xs[i] = g.newLong("x" + i, 0);
            }
            TRef<String> tag = g.newRef("tag", "0");
            AtomicBoolean done = new AtomicBoolean();
            CountDownLatch readersChecking = new CountDownLatch(2);
            List<Future<Void>> all = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                all.add(Concurrently.start("writer-" + w, i -> {
                    try {
                        Concurrently.await(readersChecking);
                        for (int n = 0; n < 5_000; n++) {
                            g.atomic(() -> {
                                long v = xs[0].get() + 1;
                                for (TLong x : xs) {
                                    x.set(v);
                                }
                                tag.set(Long.toString(v));
                            });
                        }
                    } finally {
                        done.set(true);
                    }
                }));
            }
            for (int r = 0; r < 2; r++) {
                all.add(Concurrently.start("reader-" + r, i -> {
                    SplittableRandom rnd = new SplittableRandom(i);
                    while (!done.get()) {
                        int start = rnd.nextInt(size);
                        g.atomic(() -> {
                            long first = xs[start].get();
                            for (int k = 1; k < size; k++) { // every read checked at once, in a rotating order
                                long v = xs[(start + k) % size].get();
                                if (v != first) {
                                    throw new AssertionError("x" + start + " = " + first + " but x" + (start + k) % size + " = " + v);
                                }
                            }
                            String t = tag.get();
                            if (!t.equals(Long.toString(first))) {
                                throw new AssertionError("tag " + t + " but values " + first);
                            }
                        });
                        readersChecking.countDown();
                    }
                }));
            }
            Concurrently.joinAll(all);
            for (TLong x : xs) {
                assertEquals(10_000, x.get());
            }
        }
    }

    /** The same invariant with a loop whose bound comes from the reads: a torn read would make it spin or index out of range. */
    @Test
    void aBodyUsingReadValuesAsBoundsNeverLoopsOrOverruns() throws Exception {
        try (Group g = Group.inMemory("opacity")) {
            TLong lo = g.newLong("lo", 0);
            TLong hi = g.newLong("hi", 4); // invariant: hi - lo == 4
            long[] window = new long[5];
            AtomicBoolean done = new AtomicBoolean();
            CountDownLatch readerChecking = new CountDownLatch(1);
            Future<Void> writer = Concurrently.start("writer", i -> {
                try {
                    Concurrently.await(readerChecking);
                    for (int n = 0; n < 10_000; n++) {
                        g.atomic(() -> {
                            hi.add(1);
                            lo.add(1);
                        });
                    }
                } finally {
                    done.set(true);
                }
            });
            Future<Void> reader = Concurrently.start("reader", i -> {
                while (!done.get()) {
                    g.atomic(() -> {
                        long l = lo.get();
                        long h = hi.get();
                        for (long k = l; k <= h; k++) {
                            window[(int) (k - l)] = k; // ArrayIndexOutOfBounds if h - l > 4; endless if h < l
                        }
                    });
                    readerChecking.countDown();
                }
            });
            Concurrently.joinAll(List.of(writer, reader));
            assertEquals(4, hi.get() - lo.get());
        }
    }

    @Test
    void readOnlySumsNeverSeeATornTransfer() throws Exception {
        int accounts = 8;
        try (Group g = Group.inMemory("bank")) {
            TLong[] acc = new TLong[accounts];
            for (int i = 0; i < accounts; i++) {
                acc[i] = g.newLong("acc" + i, 100);
            }
            TMap<Integer, Long> book = g.newMap("book"); // the same balances, kept in a map
            for (int i = 0; i < accounts; i++) {
                book.put(i, 100L);
            }
            AtomicBoolean done = new AtomicBoolean();
            CountDownLatch summing = new CountDownLatch(1);
            List<Future<Void>> all = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                all.add(Concurrently.start("transfers-" + w, i -> {
                    SplittableRandom rnd = new SplittableRandom(i);
                    try {
                        Concurrently.await(summing);
                        for (int n = 0; n < 10_000; n++) {
                            int from = rnd.nextInt(accounts);
                            int to = rnd.nextInt(accounts);
                            long amount = rnd.nextInt(30);
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
            all.add(Concurrently.start("sums", i -> {
                while (!done.get()) {
                    long sum = g.atomic(() -> {
                        long s = 0;
                        for (TLong a : acc) {
                            s += a.get();
                        }
                        return s;
                    });
                    assertEquals(accounts * 100L, sum, "a read-only transaction saw a torn sum");
                    long bookSum = book.snapshot().values().stream().mapToLong(Long::longValue).sum();
                    assertEquals(accounts * 100L, bookSum, "a snapshot outside any scope saw a torn sum");
                    summing.countDown();
                }
            }));
            Concurrently.joinAll(all);
            for (int i = 0; i < accounts; i++) {
                assertEquals(acc[i].get(), (long) book.get(i));
            }
        }
    }

    /**
     * Map iteration is opaque too: writers move entries between keys (a removal and an insert in one
     * transaction, so the map always holds {@code entries} keys whose values sum to {@code entries});
     * bodies that iterate the map check size, sum and key count inside the body.
     */
    @Test
    void runningBodiesNeverSeeAMapInTheMiddleOfAMove() throws Exception {
        int entries = 200; // iteration takes a while, so moves land in the middle of it
        int keySpace = 400;
        try (Group g = Group.inMemory("opacity")) {
            TMap<Integer, Integer> m = g.newMap("m");
            for (int k = 0; k < entries; k++) {
                m.put(k, 1);
            }
            AtomicBoolean done = new AtomicBoolean();
            CountDownLatch iterating = new CountDownLatch(2);
            List<Future<Void>> all = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                all.add(Concurrently.start("mover-" + w, i -> {
                    SplittableRandom rnd = new SplittableRandom(i);
                    try {
                        Concurrently.await(iterating);
                        for (int n = 0; n < 20_000; n++) {
                            int from = rnd.nextInt(keySpace);
                            int to = rnd.nextInt(keySpace);
                            g.atomic(() -> {
                                if (m.containsKey(from) && !m.containsKey(to)) {
                                    m.put(to, m.remove(from));
                                }
                            });
                        }
                    } finally {
                        done.set(true);
                    }
                }));
            }
            for (int r = 0; r < 2; r++) {
                all.add(Concurrently.start("iterator-" + r, i -> {
                    while (!done.get()) {
                        g.atomic(() -> {
                            Map<Integer, Integer> snap = m.snapshot();
                            int sum = snap.values().stream().mapToInt(Integer::intValue).sum();
                            if (snap.size() != entries || sum != entries) {
                                throw new AssertionError("a snapshot inside a transaction saw " + snap.size() + " entries summing to "
                                        + sum + ", not " + entries);
                            }
                            int[] count = {0};
                            m.forEach((k, v) -> count[0]++);
                            if (count[0] != entries || m.size() != entries) {
                                throw new AssertionError("forEach saw " + count[0] + " entries, size() says " + m.size());
                            }
                        });
                        iterating.countDown();
                    }
                }));
            }
            Concurrently.joinAll(all);
            assertEquals(entries, m.size());
            assertEquals(entries, m.snapshot().values().stream().mapToInt(Integer::intValue).sum());
        }
    }

    /**
     * The deterministic form of the test above: {@code forEach} calls user code in the middle of the
     * iteration, and there another thread moves the value of a key not visited yet onto the key being
     * visited (the values always sum to 3). The iteration must not finish having seen neither the old
     * entry nor the new value: it either sees the state before the move or re-runs.
     */
    @Test
    void aMapIterationNeverMissesAnEntryMovedToAKeyAlreadyVisited() {
        try (Group g = Group.inMemory("opacity")) {
            TMap<String, Integer> m = g.newMap("m");
            m.put("a", 1);
            m.put("b", 1);
            m.put("c", 1);
            List<String> order = new ArrayList<>();
            g.atomic(() -> {
                order.clear();
                m.forEach((k, v) -> order.add(k)); // the order in which this map iterates these keys
            });
            // Move the last key (two ahead of the first: not yet looked at by the iteration) onto the first.
            String first = order.get(0);
            String last = order.get(2);
            AtomicInteger runs = new AtomicInteger();
            int sum = g.atomic(() -> {
                int run = runs.incrementAndGet();
                int[] total = {0};
                m.forEach((key, value) -> {
                    if (run == 1 && key.equals(first)) {
                        Concurrently.onOtherThread(() -> g.atomic(() -> {
                            m.put(first, m.get(first) + m.remove(last));
                        }));
                    }
                    total[0] += value;
                });
                if (total[0] != 3) {
                    throw new AssertionError("an iteration inside a transaction saw the values sum to " + total[0]
                            + ": the entry moved from '" + last + "' to '" + first + "' was in neither place");
                }
                return total[0];
            });
            assertEquals(3, sum);
            assertEquals(2, runs.get(), "the iteration that overlapped the move must re-run");
            assertEquals(Map.of(first, 2, order.get(1), 1), m.snapshot());
        }
    }

    /** Reading one key twice in a transaction gives the same answer, even if another thread removes the key in between. */
    @Test
    void aKeyReadTwiceInATransactionReadsTheSameValueThoughAnotherThreadRemovesIt() {
        try (Group g = Group.inMemory("opacity")) {
            TMap<String, String> m = g.newMap("m");
            m.put("k", "v");
            AtomicInteger runs = new AtomicInteger();
            String seen = g.atomic(() -> {
                String first = m.get("k");
                if (runs.incrementAndGet() == 1) {
                    Concurrently.onOtherThread(() -> m.remove("k"));
                }
                String second = m.get("k");
                if (!java.util.Objects.equals(first, second)) {
                    throw new AssertionError("one transaction read key 'k' as " + first + ", then as " + second);
                }
                return second;
            });
            assertNull(seen, "the re-run sees the removal");
            assertEquals(2, runs.get());
            assertTrue(m.isEmpty());
        }
    }

    @Test
    void concurrentIncrementsLoseNoUpdate() throws Exception {
        try (Group g = Group.inMemory("counter")) {
            TLong x = g.newLong("x", 0);
            TRef<Integer> r = g.newRef("r", 0);
            Concurrently.run(3, t -> {
                for (int n = 0; n < 5_000; n++) {
                    g.atomic(() -> x.set(x.get() + 1)); // read, then write: a lost update if not serializable
                    r.updateAndGet(v -> v + 1);
                }
            });
            assertEquals(15_000, x.get());
            assertEquals(15_000, r.get());
        }
    }

    /**
     * Write skew, forced: both bodies read x and y (both 1), meet at a barrier so both have read before
     * either writes, then each decrements a different one if x + y >= 2. Snapshot isolation would let both
     * commit (x + y == 0); serializability re-runs one of them, which then sees x + y == 1 and does nothing.
     */
    @Test
    void writeSkewIsPreventedWhenBothHaveReadBeforeEitherWrites() throws Exception {
        try (Group g = Group.inMemory("skew")) {
            TLong x = g.newLong("x", 1);
            TLong y = g.newLong("y", 1);
            for (int round = 0; round < 50; round++) {
                x.set(1);
                y.set(1);
                CyclicBarrier bothRead = new CyclicBarrier(2);
                AtomicInteger runs = new AtomicInteger();
                Concurrently.run(2, t -> {
                    TLong mine = t == 0 ? x : y;
                    int[] attempt = {0};
                    g.atomic(() -> {
                        attempt[0]++;
                        runs.incrementAndGet();
                        long sum = x.get() + y.get();
                        if (attempt[0] == 1) {
                            Concurrently.await(bothRead);
                        }
                        if (sum >= 2) {
                            mine.add(-1);
                        }
                    });
                });
                assertEquals(1, x.get() + y.get(), "write skew in round " + round + ": x = " + x.get() + ", y = " + y.get());
                assertTrue(runs.get() >= 3, "one of the two bodies must have re-run, but there were " + runs.get() + " runs");
            }
        }
    }

    @Test
    void writeSkewIsPreventedUnderFreeRunningConcurrency() throws Exception {
        try (Group g = Group.inMemory("skew")) {
            int pairs = 4;
            TLong[] xs = new TLong[pairs];
            TLong[] ys = new TLong[pairs];
            for (int p = 0; p < pairs; p++) {
                xs[p] = g.newLong("x" + p, 1);
                ys[p] = g.newLong("y" + p, 1);
            }
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<Void>> all = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int side = t;
                all.add(Concurrently.start("decrement-" + t, i -> {
                    SplittableRandom rnd = new SplittableRandom(side);
                    for (int n = 0; n < 20_000; n++) {
                        int p = rnd.nextInt(pairs);
                        g.atomic(() -> {
                            if (xs[p].get() + ys[p].get() >= 2) {
                                (side == 0 ? xs[p] : ys[p]).add(-1);
                            }
                        });
                    }
                    stop.set(true);
                }));
            }
            all.add(Concurrently.start("refill", i -> {
                SplittableRandom rnd = new SplittableRandom(9);
                while (!stop.get()) {
                    int p = rnd.nextInt(pairs);
                    g.atomic(() -> {
                        long sum = xs[p].get() + ys[p].get();
                        if (sum < 1) {
                            throw new AssertionError("pair " + p + " broke x + y >= 1: " + sum);
                        }
                        if (sum == 1) {
                            xs[p].set(1);
                            ys[p].set(1);
                        }
                    });
                }
            }));
            Concurrently.joinAll(all);
            for (int p = 0; p < pairs; p++) {
                assertTrue(xs[p].get() + ys[p].get() >= 1, "pair " + p + " broke the constraint");
            }
        }
    }

    @Test
    void aTransactionReadsItsOwnWritesAndOthersDoNotUntilCommit() throws Exception {
        try (Group g = Group.inMemory("isolation")) {
            TLong x = g.newLong("x", 1);
            TMap<String, String> m = g.newMap("m");
            CountDownLatch written = new CountDownLatch(1);
            CountDownLatch observed = new CountDownLatch(1);
            Future<Void> writer = Concurrently.start("writer", i -> g.atomic(() -> {
                x.set(2);
                m.put("k", "v");
                assertEquals(2, x.get());
                assertEquals("v", m.get("k"));
                assertEquals(1, m.size());
                assertEquals(Map.of("k", "v"), m.snapshot());
                if (written.getCount() > 0) {
                    written.countDown();
                    Concurrently.await(observed);
                }
            }));
            Concurrently.await(written);
            assertEquals(1, x.get(), "an uncommitted write is visible outside its transaction");
            assertEquals(null, m.get("k"));
            assertEquals(0, (int) g.atomic(m::size));
            observed.countDown();
            Concurrently.join(writer);
            assertEquals(2, x.get());
            assertEquals("v", m.get("k"));
        }
    }
}
