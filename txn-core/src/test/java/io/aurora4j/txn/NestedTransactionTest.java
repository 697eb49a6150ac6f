package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A nested {@code atomic} that throws undoes only its own writes; the enclosing body may catch and go on. */
class NestedTransactionTest {

    static final class NestedFailure extends RuntimeException {
        NestedFailure(String message) {
            super(message);
        }
    }

    @Test
    void aFailedNestedTransactionUndoesOnlyItsOwnWritesAndTheOuterCommitsTheRest() {
        try (Group g = Group.inMemory("nested")) {
            TLong a = g.newLong("a", 0);
            TLong b = g.newLong("b", 0);
            TLong c = g.newLong("c", 0);
            TLong d = g.newLong("d", 0);
            TRef<String> r = g.newRef("r", "initial");
            TMap<String, Integer> m = g.newMap("m");
            m.put("existing", 1);

            g.atomic(() -> {
                a.set(1);
                b.set(1);
                r.set("outer");
                m.put("outer", 1);
                NestedFailure thrown = assertThrows(NestedFailure.class, () -> g.atomic(() -> {
                    a.set(2);            // overwrites a value the outer wrote
                    c.set(5);            // a first write
                    r.set("nested");
                    m.put("nested", 2);
                    m.put("outer", 99);
                    m.remove("existing");
                    assertEquals(2, a.get());
                    throw new NestedFailure("nested");
                }));
                assertEquals("nested", thrown.getMessage());
                // the outer sees its own writes again, and none of the nested ones
                assertEquals(1, a.get());
                assertEquals(0, c.get());
                assertEquals("outer", r.get());
                assertEquals(Map.of("existing", 1, "outer", 1), m.snapshot());
                assertEquals(2, m.size());
                d.set(1);
            });

            assertEquals(1, a.get());
            assertEquals(1, b.get());
            assertEquals(0, c.get());
            assertEquals(1, d.get());
            assertEquals("outer", r.get());
            assertEquals(Map.of("existing", 1, "outer", 1), m.snapshot());
        }
    }

    @Test
    void aFailedNestedTransactionWithManyWritesRestoresEveryOverwrittenValue() {
        int n = 40; // beyond the write set's linear-search size, so its index is used and rebuilt
        try (Group g = Group.inMemory("nested")) {
            TLong[] xs = new TLong[n];
            for (int i = 0; i < n; i++) {
                xs[i] = g.newLong("x" + i, -1);
            }
            g.atomic(() -> {
                for (int i = 0; i < n / 2; i++) {
                    xs[i].set(i);
                }
                assertThrows(NestedFailure.class, () -> g.atomic(() -> {
                    for (int i = 0; i < n; i++) {
                        xs[i].set(1000 + i);
                    }
                    for (int i = 0; i < n; i += 3) {
                        xs[i].set(2000 + i); // overwritten twice inside the nested transaction
                    }
                    throw new NestedFailure("many");
                }));
                for (int i = 0; i < n; i++) {
                    assertEquals(i < n / 2 ? i : -1, xs[i].get(), "x" + i + " inside the outer after the nested failure");
                }
                xs[n - 1].set(7);
            });
            for (int i = 0; i < n - 1; i++) {
                assertEquals(i < n / 2 ? i : -1, xs[i].get(), "x" + i);
            }
            assertEquals(7, xs[n - 1].get());
        }
    }

    @Test
    void aSuccessfulNestedTransactionBelongsToTheOuterOne() {
        try (Group g = Group.inMemory("nested")) {
            TLong x = g.newLong("x", 0);
            TLong y = g.newLong("y", 0);
            long fromNested = g.atomic(() -> {
                long v = g.atomic(() -> {
                    x.set(5);
                    return 5L;
                });
                assertEquals(5, x.get());
                assertTrue(g.inTransaction());
                return v;
            });
            assertEquals(5, fromNested);
            assertEquals(5, x.get());

            // if the outer fails afterwards, the nested writes go too
            assertThrows(NestedFailure.class, () -> g.atomic(() -> {
                g.atomic(() -> {
                    x.set(6);
                    y.set(6);
                });
                throw new NestedFailure("outer");
            }));
            assertEquals(5, x.get());
            assertEquals(0, y.get());
        }
    }

    @Test
    void threeLevelsOfNesting() {
        try (Group g = Group.inMemory("nested")) {
            TLong a = g.newLong("a", 0);
            TLong b = g.newLong("b", 0);
            TLong c = g.newLong("c", 0);
            g.atomic(() -> {
                a.set(1);
                g.atomic(() -> {                     // level 1
                    a.set(2);
                    b.set(2);
                    assertThrows(NestedFailure.class, () -> g.atomic(() -> { // level 2 fails
                        a.set(3);
                        c.set(3);
                        g.atomic(() -> {             // level 3 succeeds, then its parent fails
                            a.set(4);
                            b.set(4);
                        });
                        assertEquals(4, a.get());
                        throw new NestedFailure("level 2");
                    }));
                    assertEquals(2, a.get());
                    assertEquals(2, b.get());
                    assertEquals(0, c.get());
                    b.set(22);
                });
                assertEquals(2, a.get());
                assertEquals(22, b.get());
                assertThrows(NestedFailure.class, () -> g.atomic(() -> { // another level 1 that fails...
                    a.set(10);
                    assertThrows(NestedFailure.class, () -> g.atomic(() -> { // ...after a level 2 that failed first
                        b.set(11);
                        throw new NestedFailure("inner");
                    }));
                    c.set(10);
                    throw new NestedFailure("level 1");
                }));
            });
            assertEquals(2, a.get());
            assertEquals(22, b.get());
            assertEquals(0, c.get());
        }
    }

    @Test
    void hooksOfAFailedNestedTransaction() {
        try (Group g = Group.inMemory("nested")) {
            TLong x = g.newLong("x", 0);
            List<String> events = new ArrayList<>();
            g.atomic(() -> {
                g.afterCommit(() -> events.add("outer afterCommit"));
                g.afterRollback(() -> events.add("outer afterRollback"));
                assertThrows(NestedFailure.class, () -> g.atomic(() -> {
                    g.afterCommit(() -> events.add("nested afterCommit"));
                    g.afterRollback(() -> events.add("nested afterRollback"));
                    x.set(1);
                    throw new NestedFailure("nested");
                }));
                events.add("outer goes on");
                g.atomic(() -> g.afterCommit(() -> events.add("second nested afterCommit")));
                x.set(2);
            });
            assertEquals(List.of("nested afterRollback", "outer goes on", "outer afterCommit", "second nested afterCommit"), events);
            assertEquals(2, x.get());
        }
    }

    @Test
    void hooksOfASuccessfulNestedTransactionFollowTheOuterOutcome() {
        try (Group g = Group.inMemory("nested")) {
            List<String> events = new ArrayList<>();
            assertThrows(NestedFailure.class, () -> g.atomic(() -> {
                g.atomic(() -> {
                    g.afterCommit(() -> events.add("nested afterCommit"));
                    g.afterRollback(() -> events.add("nested afterRollback"));
                });
                throw new NestedFailure("outer");
            }));
            assertEquals(List.of("nested afterRollback"), events);
        }
    }

    @Test
    void hooksFirstRegisteredSevenLevelsDownOnAFreshThreadFollowTheLevelThatThrew() throws Exception {
        // A fresh thread's descriptor has no hooks part yet: it is created seven levels down, and the levels entered
        // before it must count as holding no hooks (TxnHooks), so level 5's failure drops exactly the deep ones.
        try (Group g = Group.inMemory("nested")) {
            List<String> events = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread fresh = new Thread(() -> {
                try {
                    g.atomic(() -> inside(g, 5, () -> {
                        assertThrows(NestedFailure.class, () -> g.atomic(() -> {
                            g.atomic(() -> {
                                g.afterCommit(() -> events.add("deep afterCommit"));
                                g.afterRollback(() -> events.add("deep afterRollback"));
                            });
                            throw new NestedFailure("level 5");
                        }));
                        g.atomic(() -> g.afterCommit(() -> events.add("second level 5 afterCommit")));
                    }));
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "fresh-descriptor");
            fresh.start();
            fresh.join();
            if (failure.get() != null) {
                throw new AssertionError("the transaction failed on the fresh thread", failure.get());
            }
            assertEquals(List.of("deep afterRollback", "second level 5 afterCommit"), events);
        }
    }

    /** Runs {@code body} inside {@code levels} nested transactions of {@code g}. */
    private static void inside(Group g, int levels, Runnable body) {
        if (levels == 0) {
            body.run();
        } else {
            g.atomic(() -> inside(g, levels - 1, body));
        }
    }

    @Test
    void aNestedFailureThatTheOuterDoesNotCatchRollsBackEverything() {
        try (Group g = Group.inMemory("nested")) {
            TLong x = g.newLong("x", 0);
            NestedFailure failure = new NestedFailure("uncaught");
            NestedFailure thrown = assertThrows(NestedFailure.class, () -> g.atomic(() -> {
                x.set(1);
                g.atomic(() -> {
                    x.set(2);
                    throw failure;
                });
            }));
            assertSame(failure, thrown);
            assertEquals(0, x.get());
            assertFalse(g.inTransaction());
        }
    }

    @Test
    void aConflictInsideANestedTransactionReRunsTheWholeTransaction() throws Exception {
        try (Group g = Group.inMemory("nested")) {
            TLong x = g.newLong("x", 0);
            TLong y = g.newLong("y", 0);
            TLong out = g.newLong("out", 0);
            AtomicInteger outerRuns = new AtomicInteger();
            AtomicInteger nestedRuns = new AtomicInteger();
            g.atomic(() -> {
                outerRuns.incrementAndGet();
                long vx = x.get();
                g.atomic(() -> {
                    if (nestedRuns.incrementAndGet() == 1) {
                        // another thread changes x and y between our read of x and our read of y
                        Concurrently.onOtherThread(() -> g.atomic(() -> {
                            x.add(1);
                            y.add(1);
                        }));
                    }
                    long vy = y.get(); // cannot be consistent with vx on the first run: the attempt aborts
                    out.set(vx * 100 + vy);
                });
            });
            assertEquals(2, outerRuns.get());
            assertEquals(2, nestedRuns.get());
            assertEquals(101, out.get());
        }
    }

    /** A body that catches everything around a nested transaction cannot swallow a conflict and commit stale data. */
    @Test
    void anOuterBodyThatCatchesTheNestedConflictStillReRuns() throws Exception {
        try (Group g = Group.inMemory("nested")) {
            TLong x = g.newLong("x", 0);
            TLong y = g.newLong("y", 0);
            TLong out = g.newLong("out", -1);
            AtomicInteger runs = new AtomicInteger();
            g.atomic(() -> {
                int run = runs.incrementAndGet();
                long vx = x.get();
                try {
                    g.atomic(() -> {
                        if (run == 1) {
                            Concurrently.onOtherThread(() -> g.atomic(() -> {
                                x.add(1);
                                y.add(1);
                            }));
                        }
                        y.get();
                    });
                } catch (RuntimeException swallowed) {
                    // a careless body: ignores whatever went wrong and writes anyway
                }
                out.set(vx);
            });
            assertEquals(2, runs.get());
            assertEquals(1, out.get(), "a value read by the aborted attempt was committed");
        }
    }
}
