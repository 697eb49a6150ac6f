package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SmokeTest {
    @Test
    void transferCheckpointRollback() throws Exception {
        try (Group g = Group.inMemory("bank")) {
            TLong a = g.newLong("a", 100);
            TLong b = g.newLong("b", 0);
            TMap<String, Integer> m = g.newMap("m");
            g.atomic(() -> { a.add(-10); b.add(10); m.put("x", 1); });
            Checkpoint cp = g.checkpoint("one");
            g.atomic(() -> { a.add(-10); b.add(10); m.put("y", 2); m.remove("x"); });
            TLong c = g.newLong("c", 5);
            assertEquals(80, a.get());
            assertEquals(90, cp.view().get(a));
            assertEquals(1, cp.view().size(m));
            var event = g.rollback(cp);
            assertEquals(90, a.get());
            assertEquals(10, b.get());
            assertEquals(1, m.size());
            assertEquals(1, m.get("x"));
            assertEquals(2, event.restoredObjects() >= 2 ? 2 : -1);
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, c::get);
            long sum = g.atomic(() -> a.get() + b.get());
            assertEquals(100, sum);
        }
    }
}
