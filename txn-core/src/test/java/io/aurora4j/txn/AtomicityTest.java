package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ARCHITECTURE.md invariant 1: a transaction's writes become visible all together or not at all. */
class AtomicityTest {

    static final class Boom extends RuntimeException {
        Boom() {
            super("boom");
        }
    }

    @Test
    void aBodyThatWritesThenThrowsLeavesNothingAndItsExceptionPropagatesUnchanged() {
        try (Group g = Group.inMemory("atomicity")) {
            TLong x = g.newLong("x", 1);
            TRef<String> r = g.newRef("r", "before");
            TMap<String, Integer> m = g.newMap("m");
            m.put("kept", 1);
            m.put("removed", 2);

            Boom boom = new Boom();
            Boom thrown = assertThrows(Boom.class, () -> g.atomic(() -> {
                x.add(41);
                r.set("after");
                m.put("new", 3);
                m.put("kept", 100);
                m.remove("removed");
                assertEquals(42, x.get(), "the body reads its own writes");
                throw boom;
            }));

            assertSame(boom, thrown);
            assertEquals(1, x.get());
            assertEquals("before", r.get());
            assertEquals(Map.of("kept", 1, "removed", 2), m.snapshot());
            assertEquals(2, m.size());
            assertNull(m.get("new"));
        }
    }

    @Test
    void aSupplierBodyThatThrowsAnErrorLeavesNothing() {
        try (Group g = Group.inMemory("atomicity")) {
            TLong x = g.newLong("x", 7);
            AssertionError error = new AssertionError("failed inside");
            AssertionError thrown = assertThrows(AssertionError.class, () -> g.atomic(() -> {
                x.set(8);
                throw error;
            }));
            assertSame(error, thrown);
            assertEquals(7, x.get());
            // The group is still usable: the failed attempt released everything it held.
            assertEquals(9L, (long) g.atomic(() -> x.add(2)));
        }
    }

    @Test
    void writesOfFailedTransactionsAreNeverSeenByConcurrentReaders() throws Exception {
        try (Group g = Group.inMemory("atomicity")) {
            TLong x = g.newLong("x", 0);
            TLong y = g.newLong("y", 0);
            TMap<Integer, String> m = g.newMap("m");
            AtomicBoolean done = new AtomicBoolean();
            CountDownLatch reading = new CountDownLatch(1);
            Future<Void> failing = Concurrently.start("failing-writer", i -> {
                try {
                    Concurrently.await(reading);
                    for (int n = 0; n < 20_000; n++) {
                        assertThrows(Boom.class, () -> g.atomic(() -> {
                            x.set(-1);
                            m.put(1, "poison");
                            y.set(-1);
                            throw new Boom();
                        }));
                        g.atomic(() -> {
                            x.add(1);
                            y.add(1);
                        });
                    }
                } finally {
                    done.set(true);
                }
            });
            Future<Void> reader = Concurrently.start("reader", i -> {
                while (!done.get()) {
                    assertTrue(x.get() >= 0, "a single read saw a rolled-back write");
                    assertNull(m.get(1), "a single map read saw a rolled-back write");
                    long[] xy = g.atomic(() -> new long[] {x.get(), y.get()});
                    assertTrue(xy[0] >= 0 && xy[0] == xy[1], "a transaction saw a rolled-back write: " + xy[0] + ", " + xy[1]);
                    reading.countDown();
                }
            });
            Concurrently.joinAll(java.util.List.of(failing, reader));
            assertEquals(20_000, x.get());
            assertEquals(20_000, y.get());
            assertTrue(m.isEmpty());
        }
    }

    @Test
    void concurrentTransfersAmongSixteenAccountsKeepTheSumAndLoseNoTransfer() throws Exception {
        int accounts = 16;
        int threads = 4;
        int transfersPerThread = 5_000;
        try (Group g = Group.inMemory("bank")) {
            TLong[] acc = new TLong[accounts];
            for (int i = 0; i < accounts; i++) {
                acc[i] = g.newLong("acc" + i, 1_000);
            }
            long[][] net = new long[threads][accounts]; // what each thread's committed transfers moved
            Concurrently.run(threads, t -> {
                SplittableRandom rnd = new SplittableRandom(t);
                for (int n = 0; n < transfersPerThread; n++) {
                    int from = rnd.nextInt(accounts);
                    int to = (from + 1 + rnd.nextInt(accounts - 1)) % accounts;
                    long amount = 1 + rnd.nextInt(50);
                    g.atomic(() -> {
                        acc[from].add(-amount);
                        acc[to].add(amount);
                    });
                    net[t][from] -= amount;
                    net[t][to] += amount;
                }
            });
            long sum = 0;
            for (int i = 0; i < accounts; i++) {
                long expected = 1_000;
                for (int t = 0; t < threads; t++) {
                    expected += net[t][i];
                }
                assertEquals(expected, acc[i].get(), "account " + i + " lost or duplicated a transfer");
                sum += acc[i].get();
            }
            assertEquals(accounts * 1_000L, sum);
        }
    }

    @Test
    void aMapPutAndACounterAddInOneTransactionAreSeenTogetherOrNotAtAll() throws Exception {
        int puts = 5_000;
        try (Group g = Group.inMemory("atomicity")) {
            TMap<Integer, Integer> m = g.newMap("m");
            TLong count = g.newLong("count", 0);
            AtomicBoolean done = new AtomicBoolean();
            CountDownLatch reading = new CountDownLatch(2);
            Future<Void> writer = Concurrently.start("writer", i -> {
                try {
                    Concurrently.await(reading);
                    for (int k = 0; k < puts; k++) {
                        int key = k;
                        g.atomic(() -> {
                            m.put(key, key);
                            count.add(1);
                        });
                    }
                } finally {
                    done.set(true);
                }
            });
            Future<Void> txReader = Concurrently.start("tx-reader", i -> {
                while (!done.get()) {
                    g.atomic(() -> {
                        long c = count.get();
                        int size = m.size();
                        assertEquals(c, size, "count and map size disagree inside a transaction");
                        assertFalse(m.containsKey((int) c), "the map holds a key whose count add is not visible");
                        if (c > 0) {
                            assertEquals((int) c - 1, m.get((int) c - 1), "the count add is visible without its put");
                        }
                    });
                    reading.countDown();
                }
            });
            Future<Void> singleReader = Concurrently.start("single-reader", i -> {
                while (!done.get()) {
                    long c = count.get(); // committed together with put(c - 1): the put must be visible now
                    if (c > 0) {
                        assertTrue(m.containsKey((int) c - 1), "count " + c + " is visible but its put is not");
                    }
                    Map<Integer, Integer> snap = m.snapshot();
                    for (int k = 0; k < snap.size(); k++) {
                        assertTrue(snap.containsKey(k), "a snapshot of size " + snap.size() + " lacks key " + k + ": not a prefix of the puts");
                    }
                    reading.countDown();
                }
            });
            Concurrently.joinAll(java.util.List.of(writer, txReader, singleReader));
            assertEquals(puts, count.get());
            assertEquals(puts, m.size());
        }
    }
}
