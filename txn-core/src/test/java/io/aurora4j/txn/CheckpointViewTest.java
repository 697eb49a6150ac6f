package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Time travel without rollback: a checkpoint's view reads state as of the checkpoint while the group goes on. */
class CheckpointViewTest {

    /** What the test expects a checkpoint to hold. */
    private record Model(long[] longs, String[] refs, Map<Integer, String> map) {
    }

    @Test
    void viewsOfManyCheckpointsEachShowTheirOwnStateAfterManyChanges() {
        int nLongs = 8;
        int nRefs = 4;
        int keys = 30;
        try (Group g = Group.inMemory("history")) {
            TLong[] longs = new TLong[nLongs];
            TRef<String>[] refs = newRefArray(nRefs);
            for (int i = 0; i < nLongs; i++) {
                longs[i] = g.newLong("l" + i, i);
            }
            for (int i = 0; i < nRefs; i++) {
                refs[i] = g.newRef("r" + i, "initial" + i);
            }
            TMap<Integer, String> map = g.newMap("map");
            long[] l = new long[nLongs];
            for (int i = 0; i < nLongs; i++) {
                l[i] = i;
            }
            String[] r = new String[nRefs];
            for (int i = 0; i < nRefs; i++) {
                r[i] = "initial" + i;
            }
            Map<Integer, String> m = new HashMap<>();

            SplittableRandom rnd = new SplittableRandom(42);
            List<Checkpoint> cps = new ArrayList<>();
            List<Model> models = new ArrayList<>();
            for (int round = 0; round < 25; round++) {
                int changes = rnd.nextInt(1, 15);
                for (int c = 0; c < changes; c++) {
                    int what = rnd.nextInt(4);
                    if (what == 0) {
                        int i = rnd.nextInt(nLongs);
                        long v = rnd.nextLong();
                        longs[i].set(v);
                        l[i] = v;
                    } else if (what == 1) {
                        int i = rnd.nextInt(nRefs);
                        String v = "round" + round + "." + c;
                        refs[i].set(v);
                        r[i] = v;
                    } else if (what == 2) {
                        int k = rnd.nextInt(keys);
                        String v = "v" + round + "." + c;
                        map.put(k, v);
                        m.put(k, v);
                    } else {
                        int k = rnd.nextInt(keys);
                        map.remove(k);
                        m.remove(k);
                    }
                }
                if (rnd.nextBoolean()) { // a multi-object transaction too
                    int i = rnd.nextInt(nLongs);
                    int k = rnd.nextInt(keys);
                    g.atomic(() -> {
                        longs[i].add(1);
                        map.put(k, "tx");
                    });
                    l[i]++;
                    m.put(k, "tx");
                }
                cps.add(g.checkpoint("round " + round));
                models.add(new Model(l.clone(), r.clone(), Map.copyOf(m)));
            }
            longs[0].set(-1); // changes after the last checkpoint too
            map.put(keys + 1, "after");

            for (int c = 0; c < cps.size(); c++) {
                CheckpointView v = cps.get(c).view();
                Model want = models.get(c);
                for (int i = 0; i < nLongs; i++) {
                    assertEquals(want.longs()[i], v.get(longs[i]), cps.get(c) + ", l" + i);
                }
                for (int i = 0; i < nRefs; i++) {
                    assertEquals(want.refs()[i], v.get(refs[i]), cps.get(c) + ", r" + i);
                }
                for (int k = 0; k <= keys + 1; k++) {
                    assertEquals(want.map().get(k), v.get(map, k), cps.get(c) + ", key " + k);
                }
                assertEquals(want.map().size(), v.size(map), cps.get(c) + ", size");
                assertEquals(want.map(), v.snapshot(map), cps.get(c) + ", snapshot");
            }
            assertEquals(-1, longs[0].get());
        }
    }

    @SuppressWarnings("unchecked")
    private static TRef<String>[] newRefArray(int n) {
        return (TRef<String>[]) new TRef<?>[n];
    }

    @Test
    void aViewOfAnUnchangedGroupShowsTheCurrentValues() {
        try (Group g = Group.inMemory("view")) {
            TLong x = g.newLong("x", 3);
            TRef<String> r = g.newRef("r", null);
            TMap<String, String> m = g.newMap("m");
            m.put("a", "b");
            CheckpointView v = g.checkpoint().view();
            assertEquals(3, v.get(x));
            assertNull(v.get(r));
            assertEquals("b", v.get(m, "a"));
            assertNull(v.get(m, "never"));
            assertEquals(1, v.size(m));
        }
    }

    @Test
    void aMapViewShowsKeysRemovedAfterTheCheckpointAndHidesKeysAddedAfterIt() {
        try (Group g = Group.inMemory("view")) {
            TMap<String, Integer> m = g.newMap("m");
            m.put("removed", 1);
            m.put("changed", 2);
            Checkpoint cp = g.checkpoint();
            m.remove("removed");
            m.put("changed", 20);
            m.put("added", 3);
            m.remove("added"); // added and removed again: still absent at cp
            m.put("added2", 4);
            CheckpointView v = cp.view();
            assertEquals(1, v.get(m, "removed"));
            assertEquals(2, v.get(m, "changed"));
            assertNull(v.get(m, "added"));
            assertNull(v.get(m, "added2"));
            assertEquals(2, v.size(m));
            assertEquals(Map.of("removed", 1, "changed", 2), v.snapshot(m));
            assertThrows(UnsupportedOperationException.class, () -> v.snapshot(m).put("x", 1));
        }
    }

    @Test
    void aViewOfAnObjectCreatedAfterTheCheckpointThrowsNoSuchElement() {
        try (Group g = Group.inMemory("view")) {
            Checkpoint cp = g.checkpoint("before");
            TLong x = g.newLong("x", 1);
            TRef<String> r = g.newRef("r", "v");
            TMap<String, String> m = g.newMap("m");
            Checkpoint later = g.checkpoint("after");
            CheckpointView v = cp.view();
            NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> v.get(x));
            assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("'before'"), e.getMessage());
            assertThrows(NoSuchElementException.class, () -> v.get(r));
            assertThrows(NoSuchElementException.class, () -> v.get(m, "k"));
            assertThrows(NoSuchElementException.class, () -> v.size(m));
            assertThrows(NoSuchElementException.class, () -> v.snapshot(m));
            assertEquals(1, later.view().get(x)); // it exists in the later checkpoint
        }
    }

    @Test
    void aViewOfAnObjectCreatedAfterARollbackThrowsNoSuchElement() {
        try (Group g = Group.inMemory("view")) {
            Checkpoint cp = g.checkpoint();
            g.newLong("doomed", 1);
            g.rollback(cp);
            TLong x = g.newLong("x", 1); // created after the rollback, in a later epoch than cp
            assertThrows(NoSuchElementException.class, () -> cp.view().get(x));
        }
    }

    @Test
    void aViewDoesNotTakePartInTheRunningTransaction() {
        try (Group g = Group.inMemory("view")) {
            TLong x = g.newLong("x", 1);
            Checkpoint cp = g.checkpoint();
            x.set(2);
            g.atomic(() -> {
                x.set(3);
                assertEquals(1, cp.view().get(x));
                assertEquals(3, x.get());
            });
            assertEquals(1, cp.view().get(x));
        }
    }

    @Test
    void aViewRefusesAnObjectOfAnotherGroup() {
        try (Group g = Group.inMemory("mine"); Group other = Group.inMemory("other")) {
            TLong foreign = other.newLong("x", 1);
            Checkpoint cp = g.checkpoint();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cp.view().get(foreign));
            assertTrue(e.getMessage().contains("'other'"), e.getMessage());
        }
    }

    @Test
    void aViewKnowsItsCheckpoint() {
        try (Group g = Group.inMemory("view")) {
            Checkpoint cp = g.checkpoint();
            assertSame(cp, cp.view().checkpoint());
        }
    }

    @Test
    void viewsAreConsistentWhileWritersRun() throws Exception {
        try (Group g = Group.builder("view").retainCheckpoints(10_000).open()) {
            TLong a = g.newLong("a", 0);
            TLong b = g.newLong("b", 0);
            List<Checkpoint> cps = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                cps.add(g.checkpoint());
                g.atomic(() -> {
                    a.add(1);
                    b.add(-1);
                });
            }
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.CountDownLatch viewing = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.Future<Void> writer = Concurrently.start("writer", i -> {
                try {
                    Concurrently.await(viewing);
                    for (int n = 0; n < 20_000; n++) {
                        g.atomic(() -> {
                            a.add(1);
                            b.add(-1);
                        });
                        if (n % 1000 == 0) {
                            g.checkpoint();
                        }
                    }
                } finally {
                    done.set(true);
                }
            });
            while (!done.get()) {
                for (int i = 0; i < cps.size(); i++) {
                    CheckpointView v = cps.get(i).view();
                    assertEquals(i, v.get(a), "view of " + cps.get(i) + " while a writer runs");
                    assertEquals(-i, v.get(b));
                }
                viewing.countDown();
            }
            Concurrently.join(writer);
        }
    }
}
