package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TLong} and {@link TRef} operations mean the same inside a transaction (buffered, read-your-writes)
 * and outside one (each its own transaction).
 */
class ValueSemanticsTest {

    @Test
    void tLongOperationsOutsideAnyScope() {
        try (Group g = Group.inMemory("values")) {
            TLong x = g.newLong("x", 5);
            assertEquals(5, x.get());
            x.set(6);
            assertEquals(6, x.get());
            assertEquals(10, x.add(4), "add returns the new value");
            assertEquals(10, x.getAndSet(1), "getAndSet returns the previous value");
            assertTrue(x.compareAndSet(1, 2));
            assertFalse(x.compareAndSet(1, 3));
            assertEquals(2, x.get());
            assertEquals(20, x.updateAndGet(v -> v * 10));
            assertEquals(Long.MIN_VALUE, x.add(Long.MIN_VALUE - 20)); // plain long arithmetic
            x.set(Long.MAX_VALUE);
            assertEquals(Long.MAX_VALUE, x.get(), "64-bit values are stored whole");
            assertEquals("x", x.id());
            assertEquals("TLong 'x' of group 'values'", x.toString());
        }
    }

    @Test
    void tLongOperationsInsideATransactionReadTheirOwnWrites() {
        try (Group g = Group.inMemory("values")) {
            TLong x = g.newLong("x", 5);
            long result = g.atomic(() -> {
                x.set(6);
                assertEquals(6, x.get());
                assertEquals(10, x.add(4));
                assertEquals(10, x.getAndSet(1));
                assertTrue(x.compareAndSet(1, 2));
                assertFalse(x.compareAndSet(1, 3));
                assertEquals(20, x.updateAndGet(v -> v * 10));
                return x.get();
            });
            assertEquals(20, result);
            assertEquals(20, x.get());
        }
    }

    @Test
    void tRefOperationsInsideAndOutsideAScope() {
        try (Group g = Group.inMemory("values")) {
            TRef<String> r = g.newRef("r", "a");
            assertEquals("a", r.get());
            r.set("b");
            assertEquals("b", r.getAndSet("c"));
            assertTrue(r.compareAndSet(new String("c"), "d"), "compareAndSet compares with equals");
            assertFalse(r.compareAndSet("c", "e"));
            assertEquals("d!", r.updateAndGet(v -> v + "!"));
            r.set(null);
            assertNull(r.get());
            assertTrue(r.compareAndSet(null, "n"));
            String inTx = g.atomic(() -> {
                r.set("x");
                assertEquals("x", r.getAndSet("y"));
                assertTrue(r.compareAndSet("y", "z"));
                return r.updateAndGet(v -> v + v);
            });
            assertEquals("zz", inTx);
            assertEquals("zz", r.get());
            assertEquals("TRef 'r' of group 'values'", r.toString());
        }
    }

    @Test
    void inTransactionTellsWhetherATransactionOfThisGroupRunsOnThisThread() {
        try (Group g = Group.inMemory("values"); Group other = Group.inMemory("other")) {
            assertFalse(g.inTransaction());
            g.atomic(() -> {
                assertTrue(g.inTransaction());
                assertFalse(other.inTransaction());
            });
            assertFalse(g.inTransaction());
        }
    }
}
