package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Region writes inside {@code atomic}: atomic, isolated, never torn, nested scopes undo their own writes. */
class RegionTransactionTest {

    @Test
    void abortedTransactionChangesNoByte() {
        try (Group g = Group.inMemory("abort")) {
            Region r = g.regionBuilder("r").capacity(8 * 256).pageSize(256).create();
            TLong n = g.newLong("n", 0);
            r.putLong(0, 7);
            byte[] before = new byte[8 * 256];
            r.getBytes(0, before);
            long allocated = r.stats().allocatedPages();
            assertThrows(IllegalStateException.class, () -> g.atomic(() -> {
                r.setMemory(0, 8 * 256, (byte) 9);
                r.putLong(0, 8);
                n.set(1);
                assertEquals(8, r.getLong(0), "a transaction reads its own writes");
                throw new IllegalStateException("abort");
            }));
            byte[] after = new byte[8 * 256];
            r.getBytes(0, after);
            assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(after));
            assertEquals(0, n.get());
            assertEquals(r.stats().allocatedPages() - r.stats().pooledPages(), r.stats().livePages(),
                    "every allocated page is live or pooled: no shadow leaked");
        }
    }

    @Test
    void nestedScopeUndoesOnlyItsOwnRegionWrites() {
        try (Group g = Group.inMemory("nested")) {
            Region r = g.regionBuilder("r").capacity(1024).pageSize(64).create();
            g.atomic(() -> {
                r.putLong(0, 1);
                try {
                    g.atomic(() -> {
                        r.putLong(0, 2);   // overwrites the enclosing scope's page
                        r.putLong(64, 3);  // a page of its own
                        throw new IllegalArgumentException("inner");
                    });
                } catch (IllegalArgumentException expected) {
                    // the enclosing body goes on
                }
                assertEquals(1, r.getLong(0));
                assertEquals(0, r.getLong(64));
                g.atomic(() -> r.putLong(128, 4)); // a nested scope that commits into the enclosing one
                r.putLong(136, 5);
            });
            assertEquals(1, r.getLong(0));
            assertEquals(0, r.getLong(64));
            assertEquals(4, r.getLong(128));
            assertEquals(5, r.getLong(136));
            assertEquals(r.stats().allocatedPages() - r.stats().pooledPages(), r.stats().livePages(), "no shadow leaked");
        }
    }

    @Test
    void concurrentIncrementsOnTheSamePageSerialize() throws Exception {
        try (Group g = Group.inMemory("increments")) {
            Region r = g.newRegion("r", 4096);
            int threads = 4;
            int each = 2_000;
            Concurrently.run(threads, i -> {
                for (int k = 0; k < each; k++) {
                    long at = 8L * (k % 4);
                    g.atomic(() -> {
                        r.putLong(at, r.getLong(at) + 1);
                    });
                }
            });
            long sum = 0;
            for (int k = 0; k < 4; k++) {
                sum += r.getLong(8L * k);
            }
            assertEquals((long) threads * each, sum);
        }
    }

    @Test
    void transfersAcrossPagesAndBoxesNeverShowATornTotal() throws Exception {
        try (Group g = Group.inMemory("transfers")) {
            Region r = g.regionBuilder("r").capacity(16 * 128).pageSize(128).create();
            TLong bank = g.newLong("bank", 0);
            for (int a = 0; a < 16; a++) {
                r.putLong(a * 128L, 100);
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong audits = new AtomicLong();
            var auditor = Concurrently.start("auditor", () -> {
                while (!stop.get()) {
                    long total = g.atomic(() -> {
                        long s = bank.get();
                        for (int a = 0; a < 16; a++) {
                            s += r.getLong(a * 128L);
                        }
                        return s;
                    });
                    assertEquals(1600, total, "a transaction saw a torn state");
                    long outside = 0;
                    byte[] all = new byte[16 * 128];
                    r.getBytes(0, all); // one consistent read outside a scope
                    var buf = new org.agrona.concurrent.UnsafeBuffer(all);
                    for (int a = 0; a < 16; a++) {
                        outside += buf.getLong(a * 128);
                    }
                    assertTrue(outside + bank.get() >= 0);
                    audits.incrementAndGet();
                }
                return null;
            });
            Concurrently.run(3, t -> {
                java.util.SplittableRandom rnd = new java.util.SplittableRandom(t);
                for (int k = 0; k < 3_000; k++) {
                    int from = rnd.nextInt(16);
                    int to = rnd.nextInt(16);
                    boolean viaBank = rnd.nextInt(4) == 0;
                    g.atomic(() -> {
                        r.putLong(from * 128L, r.getLong(from * 128L) - 1);
                        if (viaBank) {
                            bank.add(1);
                        } else {
                            r.putLong(to * 128L, r.getLong(to * 128L) + 1);
                        }
                    });
                    if (viaBank) {
                        g.atomic(() -> {
                            bank.add(-1);
                            r.putLong(to * 128L, r.getLong(to * 128L) + 1);
                        });
                    }
                }
            });
            stop.set(true);
            auditor.get(Concurrently.DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(audits.get() > 0);
            long s = bank.get();
            for (int a = 0; a < 16; a++) {
                s += r.getLong(a * 128L);
            }
            assertEquals(1600, s);
        }
    }

    @Test
    void checkpointsDuringTransactionsAreConsistentCutsAndRollbackRestoresThem() throws Exception {
        try (Group g = Group.builder("cuts").maintenanceExecutor(Runnable::run).open()) {
            Region r = g.regionBuilder("r").capacity(8 * 64).pageSize(64).create();
            AtomicBoolean stop = new AtomicBoolean();
            var writer = Concurrently.start("writer", () -> {
                long v = 0;
                while (!stop.get()) {
                    long next = ++v;
                    g.atomic(() -> {
                        for (int p = 0; p < 8; p++) {
                            r.putLong(p * 64L, next); // every page holds the same number in every committed state
                        }
                    });
                }
                return null;
            });
            for (int i = 0; i < 200; i++) {
                Checkpoint cp = g.checkpoint();
                long first = cp.view().getLong(r, 0);
                for (int p = 1; p < 8; p++) {
                    assertEquals(first, cp.view().getLong(r, p * 64L), "checkpoint " + cp.id() + " page " + p);
                }
                if (i % 20 == 19) {
                    g.rollback(cp);
                    long after = r.getLong(0);
                    assertTrue(after >= first, "the writer continues from the restored state");
                }
            }
            stop.set(true);
            writer.get(Concurrently.DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            long v = r.getLong(0);
            for (int p = 1; p < 8; p++) {
                assertEquals(v, r.getLong(p * 64L));
            }
        }
    }
}
