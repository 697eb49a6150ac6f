package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link TMap} behaves as a map, inside and outside transactions. */
class TMapTest {

    @Test
    void mapOperationsOutsideAnyScope() {
        try (Group g = Group.inMemory("map")) {
            TMap<String, Integer> m = g.newMap("m");
            assertTrue(m.isEmpty());
            assertEquals(0, m.size());
            assertNull(m.get("a"));
            assertFalse(m.containsKey("a"));
            assertEquals(7, m.getOrDefault("a", 7));

            assertNull(m.put("a", 1));
            assertEquals(1, m.put("a", 2), "put returns the previous value");
            assertEquals(2, m.get("a"));
            assertEquals(2, m.putIfAbsent("a", 3), "putIfAbsent returns the present value and changes nothing");
            assertEquals(2, m.get("a"));
            assertNull(m.putIfAbsent("b", 4));
            assertEquals(4, m.get("b"));
            assertEquals(2, m.size());
            assertFalse(m.isEmpty());
            assertTrue(m.containsKey("b"));

            assertEquals(4, m.remove("b"));
            assertNull(m.remove("b"), "removing an absent key returns null");
            assertNull(m.remove("never"));
            assertEquals(1, m.size());

            Map<String, Integer> visited = new HashMap<>();
            m.forEach(visited::put);
            assertEquals(Map.of("a", 2), visited);
            assertEquals("m", m.id());
            assertEquals("TMap 'm' of group 'map'", m.toString());
        }
    }

    @Test
    void snapshotIsAnImmutableCopy() {
        try (Group g = Group.inMemory("map")) {
            TMap<String, Integer> m = g.newMap("m");
            m.put("a", 1);
            Map<String, Integer> snap = m.snapshot();
            assertThrows(UnsupportedOperationException.class, () -> snap.put("b", 2));
            assertThrows(UnsupportedOperationException.class, () -> snap.remove("a"));
            m.put("a", 10);
            m.put("c", 3);
            assertEquals(Map.of("a", 1), snap, "a snapshot does not follow later changes");
            Map<String, Integer> inTx = g.atomic(m::snapshot);
            assertThrows(UnsupportedOperationException.class, () -> inTx.clear());
            assertEquals(Map.of("a", 10, "c", 3), inTx);
        }
    }

    @Test
    void mapOperationsInsideATransactionSeeTheTransactionsOwnChanges() {
        try (Group g = Group.inMemory("map")) {
            TMap<String, Integer> m = g.newMap("m");
            TLong total = g.newLong("total", 0);
            m.put("a", 1);
            m.put("b", 2);
            g.atomic(() -> {
                assertNull(m.put("c", 3));
                assertEquals(3, m.size());
                assertEquals(1, m.remove("a"));
                assertNull(m.get("a"));
                assertFalse(m.containsKey("a"));
                assertEquals(2, m.size());
                assertNull(m.put("a", 11), "put after remove in the same transaction");
                assertEquals(3, m.size());
                assertNull(m.put("d", 4));
                assertEquals(4, m.remove("d"), "put then remove in the same transaction");
                assertEquals(3, m.size());
                assertEquals(2, m.putIfAbsent("b", 20));
                assertEquals(Map.of("a", 11, "b", 2, "c", 3), m.snapshot());
                m.forEach((k, v) -> total.add(v)); // forEach inside a transaction may write state objects
            });
            assertEquals(Map.of("a", 11, "b", 2, "c", 3), m.snapshot());
            assertEquals(16, total.get());
            assertEquals(3, m.size());
        }
    }

    /** A seeded random sequence of operations, some in transactions that commit, some in transactions that fail. */
    @Test
    void randomOperationsAgreeWithAHashMap() {
        try (Group g = Group.inMemory("map")) {
            TMap<Integer, String> m = g.newMap("m");
            Map<Integer, String> model = new HashMap<>();
            SplittableRandom rnd = new SplittableRandom(7);
            for (int step = 0; step < 2_000; step++) {
                int mode = rnd.nextInt(3); // 0: outside, 1: a committing transaction, 2: a failing one
                int ops = mode == 0 ? 1 : rnd.nextInt(1, 6);
                long seed = rnd.nextLong();
                Map<Integer, String> expected = new HashMap<>(model);
                Runnable body = () -> {
                    SplittableRandom r = new SplittableRandom(seed); // the same choices if the body re-runs
                    Map<Integer, String> local = new HashMap<>(model);
                    for (int i = 0; i < ops; i++) {
                        int key = r.nextInt(20);
                        String value = "v" + r.nextInt(1000);
                        switch (r.nextInt(4)) {
                            case 0 -> assertEquals(local.put(key, value), m.put(key, value));
                            case 1 -> assertEquals(local.putIfAbsent(key, value), m.putIfAbsent(key, value));
                            case 2 -> assertEquals(local.remove(key), m.remove(key));
                            default -> assertEquals(local.get(key), m.get(key));
                        }
                        assertEquals(local.size(), m.size());
                    }
                    expected.clear();
                    expected.putAll(local);
                };
                if (mode == 0) {
                    body.run();
                    model.clear();
                    model.putAll(expected);
                } else if (mode == 1) {
                    g.atomic(body);
                    model.clear();
                    model.putAll(expected);
                } else {
                    assertThrows(IllegalStateException.class, () -> g.atomic(() -> {
                        body.run();
                        throw new IllegalStateException("abandon");
                    }));
                }
                assertEquals(model, m.snapshot(), "after step " + step);
                assertEquals(model.size(), m.size());
                assertEquals(model.isEmpty(), m.isEmpty());
            }
        }
    }
}
