package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Empty TMap cells are purged once no retained checkpoint needs them: churning keys does not grow a map. */
class TMapChurnMemoryTest {

    @Test
    void removedKeysLeaveNoCellsWithoutCheckpoints() {
        try (Group g = Group.inMemory("churn")) {
            TMap<Integer, String> m = g.newMap("m");
            for (int i = 0; i < 10_000; i++) {
                m.put(i, "v" + i);
                int key = i;
                g.atomic(() -> {
                    m.remove(key);
                });
            }
            assertEquals(0, m.size());
            assertEquals(0, m.cellCount(), "cells of removed keys are purged");
        }
    }

    @Test
    void lookupsOfMissingKeysLeaveNoCells() {
        try (Group g = Group.inMemory("lookups")) {
            TMap<Integer, String> m = g.newMap("m");
            m.put(-1, "present");
            for (int i = 0; i < 5_000; i++) {
                int key = i;
                assertNull(g.atomic(() -> m.get(key)));
            }
            assertEquals(1, m.cellCount(), "only the live key keeps a cell");
            assertEquals("present", m.get(-1));
        }
    }

    @Test
    void cellsNeededByHistoryStayUntilTheirCheckpointsLeaveRetention() {
        try (Group g = Group.builder("history").retainCheckpoints(2).maintenanceExecutor(Runnable::run).open()) {
            TMap<Integer, String> m = g.newMap("m");
            for (int i = 0; i < 100; i++) {
                m.put(i, "v" + i);
            }
            Checkpoint cp = g.checkpoint();
            for (int i = 0; i < 100; i++) {
                m.remove(i);
            }
            assertEquals(100, m.cellCount(), "the retained checkpoint still sees the removed keys");
            assertEquals(100, cp.view().size(m));
            assertEquals("v7", cp.view().get(m, 7));
            g.checkpoint();
            g.checkpoint(); // cp leaves retention: its pre-images are released and the empty cells purged
            assertTrue(!cp.isRetained());
            assertEquals(0, m.cellCount());
            assertEquals(0, g.stats().retainedPreImages());
        }
    }

    @Test
    void rollbackPurgesCellsOfKeysAddedAfterTheCheckpoint() {
        try (Group g = Group.inMemory("rollback")) {
            TMap<Integer, String> m = g.newMap("m");
            m.put(0, "kept");
            Checkpoint cp = g.checkpoint();
            for (int i = 1; i <= 50; i++) {
                m.put(i, "added" + i);
            }
            g.rollback(cp);
            assertEquals(1, m.size());
            assertEquals(1, m.cellCount());
            assertEquals("kept", m.get(0));
            m.put(3, "again"); // a purged key can come back
            assertEquals("again", m.get(3));
            assertEquals(2, m.size());
        }
    }

    @Test
    void concurrentChurnStaysConsistentWhilePurging() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (Group g = Group.inMemory("race")) {
                TMap<Integer, Integer> m = g.newMap("m");
                TLong present = g.newLong("present", 0);
                int threads = 4;
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    long seed = t;
                    futures.add(pool.submit(() -> {
                        SplittableRandom random = new SplittableRandom(seed);
                        for (int n = 0; n < 20_000; n++) {
                            int key = random.nextInt(8);
                            g.atomic(() -> {
                                if (m.get(key) == null) {
                                    m.put(key, key);
                                    present.add(1);
                                } else {
                                    m.remove(key);
                                    present.add(-1);
                                }
                            });
                            if (n % 7 == 0) {
                                // a consistent read of the map and the counter together
                                g.atomic(() -> assertEquals(present.get(), m.snapshot().size()));
                            }
                        }
                    }));
                }
                for (Future<?> f : futures) {
                    f.get(50, TimeUnit.SECONDS);
                }
                pool.shutdown();
                assertEquals(present.get(), m.size());
                assertEquals(present.get(), m.snapshot().size());
                assertTrue(m.cellCount() <= 8);
            }
        });
    }
}
